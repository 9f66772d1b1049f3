export {
  createNodeFetch,
  createNodeTransport,
  type NodeFetchOptions,
  type NodeHttpEngine,
  type NodeTransportOptions,
} from './lib/node-fetch.node.ts';
export { type ProxyOptions, proxyFromEnv } from './lib/proxy.node.ts';
