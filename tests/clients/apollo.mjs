// Apollo Client (core, InMemoryCache) against the served API; prints what a user's app would see.
// Usage: node apollo.mjs <graphql-url>
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client/core";

const url = process.argv[2];
const requests = [];
const countingFetch = (input, init) => {
  requests.push(JSON.parse(init.body).operationName);
  return fetch(input, init);
};

const client = new ApolloClient({
  link: new HttpLink({ uri: url, fetch: countingFetch }),
  cache: new InMemoryCache({
    typePolicies: {
      Query: {
        fields: {
          // The usual cache redirect: a vehicle already in the cache needs no request.
          vehicle: {
            read: (_, { args, toReference }) => toReference({ __typename: "Vehicle", id: args.id }),
          },
        },
      },
    },
  }),
});

const VEHICLE_FIELDS = gql`
  fragment VehicleFields on Vehicle {
    id
    vehicleId
    manufacturer
    model
    year
  }
`;
const PAGE = gql`
  query VehiclePage($first: Int!, $after: String, $filter: VehicleFilter) {
    vehicles(first: $first, after: $after, filter: $filter, sort: [{ field: YEAR, direction: ASC }]) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { ...VehicleFields } }
    }
  }
  ${VEHICLE_FIELDS}
`;
const ONE = gql`
  query OneVehicle($id: ID!) {
    vehicle(id: $id) { ...VehicleFields }
  }
  ${VEHICLE_FIELDS}
`;
const PARTLY_BAD = gql`
  query PartlyBad {
    vehicles(first: 1) { totalCount }
    manufacturer(name: "Ford") { manufacturer count }
    broken: node(id: "not a global id") { id }
  }
`;

const filter = { manufacturer: "ford" };
const first = await client.query({ query: PAGE, variables: { first: 3, filter } });
const second = await client.query({
  query: PAGE,
  variables: { first: 3, after: first.data.vehicles.pageInfo.endCursor, filter },
});
const requestsBeforeCachedRead = requests.length;
const firstVehicle = first.data.vehicles.edges[0].node;
const cached = await client.query({ query: ONE, variables: { id: firstVehicle.id } });
const requestsAfterCachedRead = requests.length;
const partial = await client.query({ query: PARTLY_BAD, errorPolicy: "all", fetchPolicy: "network-only" });

process.stdout.write(
  JSON.stringify({
    pages: [first, second].map((r) => ({
      totalCount: r.data.vehicles.totalCount,
      hasNextPage: r.data.vehicles.pageInfo.hasNextPage,
      endCursor: r.data.vehicles.pageInfo.endCursor,
      cursors: r.data.vehicles.edges.map((e) => e.cursor),
      ids: r.data.vehicles.edges.map((e) => e.node.id),
      years: r.data.vehicles.edges.map((e) => e.node.year),
    })),
    cachedVehicle: cached.data.vehicle,
    firstVehicle,
    cacheKey: client.cache.identify(firstVehicle),
    requestsForCachedRead: requestsAfterCachedRead - requestsBeforeCachedRead,
    partial: {
      data: partial.data,
      errors: (partial.error?.errors ?? []).map((e) => ({ message: e.message, code: e.extensions?.code, path: e.path })),
    },
    requests,
  }),
);
