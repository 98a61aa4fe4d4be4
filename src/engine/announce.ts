// Container events carry what dockerd gives every one (daemon/events.go,
// LogContainerEventWithAttributes): the container's labels, the verb's own attributes, then the
// image the user asked for and the name over them.
import type { Container } from './container.ts';
import type { EngineContext } from './context.ts';

export function announce(ctx: Pick<EngineContext, 'events'>, c: Container, action: string, extra: Record<string, string> = {}): void {
  const attributes: Record<string, string> = { ...extra, ...(c.record.Config.Labels ?? {}) };
  if (c.record.Config.Image) attributes.image = c.record.Config.Image;
  attributes.name = c.name;
  ctx.events.publish('container', action, c.id, attributes);
}
