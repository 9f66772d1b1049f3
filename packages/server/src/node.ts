export {
  type ListenOptions,
  listen,
  type NodeListenerOptions,
  type RunningRegistry,
  toNodeListener,
} from './lib/node-adapter.node.ts';
