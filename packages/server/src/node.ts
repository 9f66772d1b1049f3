export {
  type ListenOptions,
  listen,
  type RunningRegistry,
  toNodeListener,
} from './lib/node-adapter.node.ts';
