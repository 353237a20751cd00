import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { existsSync } from 'fs';
import * as path from 'path';
import type { Logger } from 'pino';

/**
 * Where `npm run build` puts the console (vite, apps/console → dist/console).
 * Compiled, this file is dist/apps/api/src/console/console-static.js; run from
 * the sources (ts-node, jest) it is apps/api/src/console/console-static.ts.
 */
export function consoleDirectory(): string | undefined {
  const root = path.resolve(__dirname, '..', '..', '..', '..');
  const candidates = [path.join(root, 'console'), path.join(root, 'dist', 'console')];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html')));
}

/**
 * The page runs only the console's own scripts and talks only to this
 * server: a script injected through some field could neither load more code
 * nor send the session's token elsewhere. Inline styles are allowed (ECharts
 * and the virtual rows set heights in style attributes).
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Hashed file names (vite's assets/) never change content: cache them for good; everything else is revalidated. */
function cacheHeaders(reply: FastifyReply, file: string): void {
  if (file.includes(`${path.sep}assets${path.sep}`)) reply.header('Cache-Control', 'public, max-age=31536000, immutable');
  else reply.header('Cache-Control', 'no-cache');
  // (the file may be the precompressed copy: index.html.br)
  if (/\.html(\.br|\.gz)?$/.test(file)) {
    reply.header('Content-Security-Policy', CONSOLE_CSP);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
  }
}

/**
 * Serves the web console at `/` from the built static files, beside the API
 * (`/api`, `/docs`, `/health`, `/metrics`: Fastify prefers those routes to
 * the static wildcard). The build writes gzip and brotli copies next to each
 * file, served to browsers that accept them. Without a build, `/` says how
 * to make one instead of failing the boot: the API works without its console.
 */
export async function serveConsole(app: NestFastifyApplication, logger: Logger): Promise<void> {
  const root = consoleDirectory();
  if (!root) {
    logger.warn('the web console is not built (no dist/console/index.html): run npm run build; the API works without it');
    app.getHttpAdapter().get('/', (_request: unknown, reply: FastifyReply) => reply.type('text/html; charset=utf-8').send(NOT_BUILT_PAGE));
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    // Swagger UI registered the plugin once already (under /docs) and decorated the reply then.
    decorateReply: false,
    preCompressed: true,
    index: ['index.html'],
    setHeaders: cacheHeaders,
  });
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>投诉工单控制台</title></head>
<body><h1>投诉工单控制台 / Complaints console</h1>
<p>控制台尚未构建：请运行 <code>npm run build</code>。 The console is not built: run <code>npm run build</code>.</p>
<p>API: <a href="/docs">/docs</a></p>
</body></html>
`;
