import type { FastifyPluginAsync } from 'fastify';

/**
 * Marks a plugin as one whose decorators and hooks belong to the parent scope (what the
 * fastify-plugin package does), so service plugins are visible to the route plugins registered after.
 */
export function sharedPlugin<Options extends object>(
  name: string,
  plugin: FastifyPluginAsync<Options>,
): FastifyPluginAsync<Options> {
  Object.assign(plugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: name });
  return plugin;
}
