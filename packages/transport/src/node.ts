export {
  createNodeFetch,
  createNodeTransport,
  type NodeFetchOptions,
  type NodeTransportOptions,
} from './lib/node-fetch.node.ts';
