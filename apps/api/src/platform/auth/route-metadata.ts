import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

/**
 * `reflector.getAllAndOverride(key, [handler, class])`, remembered per route:
 * decorators are applied when the classes load, so the answer never changes,
 * and the guards ask it on every request (reflect-metadata walks the
 * prototype chain each time).
 */
export class RouteMetadata<T> {
  private readonly byHandler = new WeakMap<object, Map<object, T | undefined>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly key: string,
  ) {}

  of(context: ExecutionContext): T | undefined {
    const handler = context.getHandler();
    const cls = context.getClass();
    let byClass = this.byHandler.get(handler);
    if (byClass === undefined) this.byHandler.set(handler, (byClass = new Map()));
    if (byClass.has(cls)) return byClass.get(cls);
    const value = this.reflector.getAllAndOverride<T | undefined>(this.key, [handler, cls]);
    byClass.set(cls, value);
    return value;
  }
}
