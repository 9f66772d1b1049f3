export {
  createNodeFetch,
  createNodeTransport,
  type NodeFetchOptions,
  type NodeTransportOptions,
} from './lib/node-fetch.node.ts';
export { type ProxyOptions, proxyFromEnv } from './lib/proxy.node.ts';
