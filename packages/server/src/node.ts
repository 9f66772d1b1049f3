export {
  type ListenOptions,
  type ListenTlsOptions,
  listen,
  type NodeListenerOptions,
  type RunningRegistry,
  toNodeListener,
} from './lib/node-adapter.node.ts';
