// The GraphQL peer: the same operations as autos-graph over the same index, written
// as Apollo Server users write them — per-request DataLoaders in the context, the
// official Elasticsearch client, the picker's aggregation cached in Redis for 30 s,
// and (RESPONSE_CACHE=1) the response-cache plugin with a 30 s default max age.
//
// Environment: PORT, ELASTICSEARCH_URL, ES_INDEX, REDIS_URL, CACHE_PREFIX, RESPONSE_CACHE.
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import responseCachePlugin from '@apollo/server-plugin-response-cache';
import { Client } from '@elastic/elasticsearch';
import DataLoader from 'dataloader';
import { Redis } from 'ioredis';
import { GraphQLError } from 'graphql';

import {
  buildQuery,
  buildSort,
  encodeCursor,
  groupsFromAggregation,
  manufacturerAggregation,
} from './queries.js';

const index = process.env.ES_INDEX ?? 'autos-unified';
const cachePrefix = process.env.CACHE_PREFIX ?? `bench-peer:${index}`;
const CACHE_TTL_SECONDS = 30;
const es = new Client({ node: process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200' });
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0');

const typeDefs = `#graphql
  type Query {
    vehiclesByIds(ids: [ID!]!): [Vehicle]!
    vehicles(filter: VehicleFilter, sort: [VehicleSort!], first: Int = 20, after: String): VehicleConnection!
    manufacturerModelCombinations(search: String, first: Int = 50, after: String): ManufacturerModelGroupConnection!
  }
  type Vehicle {
    id: ID!
    vehicleId: String!
    manufacturer: String!
    model: String!
    year: Int!
    bodyClass: String!
    dataSource: String!
    instanceCount: Int!
    makeModelYear: String!
    group: ManufacturerModelGroup!
    otherYears(first: Int = 10): [Vehicle!]!
  }
  type ManufacturerModelGroup {
    manufacturer: String!
    count: Int!
    models: [ModelCount!]!
    vehicles(first: Int = 10, filter: VehicleFilter): VehicleConnection!
  }
  type ModelCount { model: String! count: Int! yearMin: Int! yearMax: Int! }
  type PageInfo { hasNextPage: Boolean! endCursor: String }
  type VehicleEdge { cursor: String! node: Vehicle! }
  type VehicleConnection { totalCount: Int! pageInfo: PageInfo! edges: [VehicleEdge!]! nodes: [Vehicle!]! }
  type ManufacturerModelGroupEdge { cursor: String! node: ManufacturerModelGroup! }
  type ManufacturerModelGroupConnection {
    totalCount: Int!
    pageInfo: PageInfo!
    edges: [ManufacturerModelGroupEdge!]!
    nodes: [ManufacturerModelGroup!]!
  }
  input ManufacturerModelInput { manufacturer: String! model: String! }
  input VehicleFilter {
    models: [ManufacturerModelInput!]
    manufacturer: String
    model: String
    search: String
    yearMin: Int
    yearMax: Int
    bodyClasses: [String!]
    dataSources: [String!]
  }
  enum VehicleSortField { MANUFACTURER MODEL YEAR BODY_CLASS INSTANCE_COUNT DATA_SOURCE }
  enum SortOrderDirection { ASC DESC }
  input VehicleSort { field: VehicleSortField! direction: SortOrderDirection! = ASC }
`;

// Relay global ids, as autos-graph hands them out: base64 of "Vehicle:<vehicle_id>".
const toVehicle = (source) => ({
  id: Buffer.from(`Vehicle:${source.vehicle_id}`).toString('base64'),
  vehicleId: source.vehicle_id,
  manufacturer: source.manufacturer,
  model: source.model,
  year: source.year,
  bodyClass: source.body_class,
  dataSource: source.data_source,
  instanceCount: source.instance_count,
  makeModelYear: source.make_model_year,
});

function connection(hits, total, first) {
  const edges = hits.slice(0, first).map((h) => ({ cursor: encodeCursor(h.sort), node: toVehicle(h._source) }));
  return {
    totalCount: total,
    pageInfo: { hasNextPage: hits.length > first, endCursor: edges.length ? edges.at(-1).cursor : null },
    edges,
    nodes: edges.map((e) => e.node),
  };
}

function checkFirst(first, max = 100) {
  if (first < 0 || first > max) {
    throw new GraphQLError(`first must be between 0 and ${max}, got ${first}`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return first;
}

// The picker's aggregation, cached in Redis for 30 s and keyed by the search text.
async function manufacturerGroups(search) {
  const text = search?.trim() || null;
  const key = `${cachePrefix}:groups:${text ?? ''}`;
  const cached = await redis.get(key);
  if (cached) return JSON.parse(cached);
  const response = await es.search({ index, ...manufacturerAggregation(buildQuery(text ? { search: text } : null)) });
  const groups = groupsFromAggregation(response);
  await redis.set(key, JSON.stringify(groups), 'EX', CACHE_TTL_SECONDS);
  return groups;
}

const msearch = async (bodies) => {
  const { responses } = await es.msearch({ searches: bodies.flatMap((body) => [{ index }, body]) });
  return responses;
};

function createLoaders() {
  const vehicleById = new DataLoader(async (ids) => {
    const { docs } = await es.mget({ index, ids: [...ids] });
    return docs.map((doc) => (doc.found ? toVehicle(doc._source) : null));
  });
  const groupByManufacturer = new DataLoader(async (names) => {
    const byName = new Map((await manufacturerGroups(null)).map((g) => [g.manufacturer.toLowerCase(), g]));
    return names.map((name) => byName.get(name.toLowerCase()) ?? null);
  });
  const yearsByMakeModel = new DataLoader(
    async (keys) => {
      const responses = await msearch(
        keys.map(({ manufacturer, model }) => ({
          query: buildQuery({ models: [{ manufacturer, model }] }),
          sort: [{ year: { order: 'asc' } }, { vehicle_id: { order: 'asc' } }],
          size: 100,
          track_total_hits: false,
          collapse: { field: 'year' },
        })),
      );
      return responses.map((r) => r.hits.hits.map((h) => toVehicle(h._source)));
    },
    { cacheKeyFn: ({ manufacturer, model }) => `${manufacturer}\u0000${model}` },
  );
  const vehiclesByGroup = new DataLoader(
    async (keys) => {
      const responses = await msearch(
        keys.map(({ manufacturer, first, filter }) => ({
          query: {
            bool: { must: [buildQuery(filter)], filter: [{ term: { 'manufacturer.keyword': { value: manufacturer } } }] },
          },
          sort: buildSort([]),
          size: first + 1,
          track_total_hits: true,
        })),
      );
      return responses.map((r, i) => connection(r.hits.hits, r.hits.total.value, keys[i].first));
    },
    { cacheKeyFn: (key) => JSON.stringify(key) },
  );
  return { vehicleById, groupByManufacturer, yearsByMakeModel, vehiclesByGroup };
}

const resolvers = {
  Query: {
    vehiclesByIds: (_, { ids }, { loaders }) => loaders.vehicleById.loadMany(ids),
    async vehicles(_, { filter, sort, first, after }) {
      const size = checkFirst(first);
      const sortBody = buildSort(sort, { relevance: Boolean(filter?.search?.trim()) });
      const body = { query: buildQuery(filter), sort: sortBody, size: size + 1, track_total_hits: true };
      if (after) body.search_after = JSON.parse(Buffer.from(after, 'base64url').toString());
      const response = await es.search({ index, ...body });
      return connection(response.hits.hits, response.hits.total.value, size);
    },
    async manufacturerModelCombinations(_, { search, first, after }) {
      const size = checkFirst(first, 500);
      const offset = after ? JSON.parse(Buffer.from(after, 'base64url').toString())[1] + 1 : 0;
      const groups = await manufacturerGroups(search);
      const edges = groups
        .slice(offset, offset + size)
        .map((node, i) => ({ cursor: encodeCursor(['o', offset + i]), node }));
      return {
        totalCount: groups.length,
        pageInfo: { hasNextPage: offset + size < groups.length, endCursor: edges.at(-1)?.cursor ?? null },
        edges,
        nodes: edges.map((e) => e.node),
      };
    },
  },
  Vehicle: {
    async group(vehicle, _, { loaders }) {
      return (
        (await loaders.groupByManufacturer.load(vehicle.manufacturer)) ?? {
          manufacturer: vehicle.manufacturer,
          count: 1,
          models: [],
        }
      );
    },
    async otherYears(vehicle, { first }, { loaders }) {
      const size = checkFirst(first);
      const years = await loaders.yearsByMakeModel.load({ manufacturer: vehicle.manufacturer, model: vehicle.model });
      return years.filter((other) => other.year !== vehicle.year).slice(0, size);
    },
  },
  ManufacturerModelGroup: {
    vehicles: (group, { first, filter }, { loaders }) =>
      loaders.vehiclesByGroup.load({ manufacturer: group.manufacturer, first: checkFirst(first), filter: filter ?? null }),
  },
};

const plugins = [];
if (process.env.RESPONSE_CACHE === '1') {
  plugins.push(ApolloServerPluginCacheControl({ defaultMaxAge: CACHE_TTL_SECONDS }), responseCachePlugin());
}

const server = new ApolloServer({ typeDefs, resolvers, plugins });
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(process.env.PORT ?? 4000), host: '127.0.0.1' },
  context: async () => ({ loaders: createLoaders() }),
});
console.log(`apollo peer ready at ${url} (response cache ${process.env.RESPONSE_CACHE === '1' ? 'on' : 'off'})`);
