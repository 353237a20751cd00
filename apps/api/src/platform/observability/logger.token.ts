/** Injection token of the root pino logger: `@Inject(ROOT_LOGGER) logger: Logger` (pino's). */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');
