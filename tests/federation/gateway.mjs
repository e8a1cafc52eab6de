// Apollo's composition and gateway in front of the catalog subgraph (CATALOG_URL, a running
// autos-graph with FEDERATION=true) and two small subgraphs written for the test: listings
// extends Vehicle with `listingCount` (and `marketLabel`, which @requires catalog fields) and
// roots listings of the vehicles in VEHICLE_IDS_FILE; watchers adds `watchers` to every Node
// through the catalog's entity interface (@interfaceObject).
//
// Prints one JSON line once the gateway serves ({gateway, subgraphs}) and keeps serving until
// stdin closes; any composition error or hint is printed and the process exits 1.
// tests/integration/test_federation_gateway.py drives it.
import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

const catalogUrl = process.env.CATALOG_URL;
const vehicleIds = JSON.parse(readFileSync(process.env.VEHICLE_IDS_FILE, 'utf8'));

// The listings team's subgraph: its own entity, and a field on the catalog's Vehicle.
const listingsSdl = `
  extend schema
    @link(
      url: "https://specs.apollo.dev/federation/v2.11"
      import: ["@key", "@shareable", "@external", "@requires"]
    )

  type Query {
    featuredListings(first: Int! = 10): [Listing!]!
    listingPage(first: Int! = 10): ListingPage!
  }

  type Listing @key(fields: "id") {
    id: ID!
    price: Int!
    vehicle: Vehicle!
  }

  type ListingPage {
    nodes: [Listing!]!
    pageInfo: PageInfo!
  }

  # Relay's PageInfo, as the catalog shares it.
  type PageInfo @shareable {
    hasNextPage: Boolean!
    endCursor: String
    hasPreviousPage: Boolean!
    startCursor: String
  }

  type Vehicle @key(fields: "id") {
    id: ID!
    listingCount: Int!
    manufacturer: String! @external
    year: Int! @external
    # Computed from the catalog's fields: the gateway reads them first, then passes them along.
    marketLabel: String! @requires(fields: "manufacturer year")
  }
`;

// Deterministic, so the test can check every value: the sum of the id's character codes mod 25.
const listingCount = (id) => [...id].reduce((sum, c) => sum + c.charCodeAt(0), 0) % 25;

const listing = (position) => ({
  id: `listing-${position}`,
  price: 1000 + position,
  vehicle: { id: vehicleIds[position] },
});

// A watchers team's subgraph: through the catalog's entity interface, a field on every node.
const watchersSdl = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.11", import: ["@key", "@interfaceObject"])

  type Query {
    watched(ids: [ID!]!): [Node!]!
  }

  type Node @key(fields: "id") @interfaceObject {
    id: ID!
    watchers: Int!
  }
`;

async function serve(typeDefs, resolvers) {
  const server = new ApolloServer({ schema: buildSubgraphSchema([{ typeDefs: parse(typeDefs), resolvers }]) });
  const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: 0 } });
  return { server, url };
}

const listings = await serve(listingsSdl, {
  Query: {
    featuredListings: (_root, { first }) => vehicleIds.slice(0, first).map((_id, i) => listing(i)),
    listingPage: (_root, { first }) => ({
      nodes: vehicleIds.slice(0, first).map((_id, i) => listing(i)),
      pageInfo: { hasNextPage: first < vehicleIds.length, endCursor: null, hasPreviousPage: false, startCursor: null },
    }),
  },
  Listing: {
    __resolveReference: ({ id }) => listing(Number(id.replace('listing-', ''))),
  },
  Vehicle: {
    __resolveReference: (reference) => reference,
    listingCount: ({ id }) => listingCount(id),
    marketLabel: ({ manufacturer, year }) => `${year} ${manufacturer}`,
  },
});

const watchers = await serve(watchersSdl, {
  Query: {
    watched: (_root, { ids }) => ids.map((id) => ({ id })),
  },
  Node: {
    __resolveReference: (reference) => reference,
    watchers: ({ id }) => listingCount(id) + 1,
  },
});

// What IntrospectAndCompose would do: each subgraph's SDL from its `_service`.
const answer = await fetch(catalogUrl, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ query: '{ _service { sdl } }' }),
});
const catalogSdl = (await answer.json()).data._service.sdl;

const composed = composeServices([
  { name: 'catalog', url: catalogUrl, typeDefs: parse(catalogSdl) },
  { name: 'listings', url: listings.url, typeDefs: parse(listingsSdl) },
  { name: 'watchers', url: watchers.url, typeDefs: parse(watchersSdl) },
]);
const problems = [
  ...(composed.errors ?? []).map((e) => `error ${e.extensions?.code ?? ''}: ${e.message}`),
  ...(composed.hints ?? []).map((h) => `hint ${h.definition.code}: ${h.message}`),
];
if (problems.length > 0) {
  console.log(JSON.stringify({ problems }));
  process.exit(1);
}

// The subgraph fetches of a request, with what the gateway made of each FTV1 trace it received.
function fetches(node, found = []) {
  if (node === null || typeof node !== 'object') return found;
  if (typeof node.serviceName === 'string') {
    found.push({
      service: node.serviceName,
      traced: Boolean(node.trace),
      traceParsingFailed: Boolean(node.traceParsingFailed),
      rootFields: (node.trace?.root?.child ?? []).map((child) => child.responseName),
      durationNs: node.trace ? Number(node.trace.durationNs) : 0,
    });
  }
  for (const value of Object.values(node)) {
    if (value && typeof value === 'object' && value !== node.trace) fetches(value, found);
  }
  return found;
}

// With `x-capture-traces: 1` the gateway asks every subgraph for FTV1 traces, as usage
// reporting does, and the answer's extensions say what it decoded.
const traces = {
  async requestDidStart(requestContext) {
    const capture = requestContext.request.http?.headers.get('x-capture-traces') === '1';
    if (capture) requestContext.metrics.captureTraces = true;
    return {
      async willSendResponse({ response, metrics }) {
        if (capture && response.body.kind === 'single') {
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, fetches: fetches(metrics.queryPlanTrace) };
        }
      },
    };
  },
};

const gateway = new ApolloServer({
  gateway: new ApolloGateway({ supergraphSdl: composed.supergraphSdl }),
  plugins: [traces],
});
const { url: gatewayUrl } = await startStandaloneServer(gateway, { listen: { host: '127.0.0.1', port: 0 } });
const subgraphs = { catalog: catalogUrl, listings: listings.url, watchers: watchers.url };
console.log(JSON.stringify({ gateway: gatewayUrl, subgraphs }));

process.stdin.resume();
process.stdin.on('end', async () => {
  await gateway.stop();
  await listings.server.stop();
  await watchers.server.stop();
  process.exit(0);
});
