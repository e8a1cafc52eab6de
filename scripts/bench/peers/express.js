// The REST peer: the old backend as it was built — Express with
// app.use('/api/v1', routes), the official Elasticsearch client 8, express-rate-limit,
// and a 30 s in-process cache of the picker aggregation. It answers
// manufacturer-model-combinations and vehicles/details with the shapes of autos-graph's
// v1 shim. vehicles/{id}/instances is not here: its VIN generator lives only in autos-graph.
//
// Environment: PORT, ELASTICSEARCH_URL, ES_INDEX, RATE_LIMIT_PER_MINUTE.
import express from 'express';
import { rateLimit } from 'express-rate-limit';
import { Client } from '@elastic/elasticsearch';

import { buildQuery, buildSort, groupsFromAggregation, manufacturerAggregation } from './queries.js';

const index = process.env.ES_INDEX ?? 'autos-unified';
const es = new Client({ node: process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200' });
const CACHE_TTL_MS = 30_000;
const SORT_FIELDS = {
  manufacturer: 'MANUFACTURER',
  model: 'MODEL',
  year: 'YEAR',
  body_class: 'BODY_CLASS',
  instance_count: 'INSTANCE_COUNT',
  data_source: 'DATA_SOURCE',
};
const DEFAULT_ORDER = [
  { field: 'MANUFACTURER', direction: 'ASC' },
  { field: 'MODEL', direction: 'ASC' },
  { field: 'YEAR', direction: 'DESC' },
];

const groupsCache = new Map();

async function manufacturerGroups(search) {
  const key = search ?? '';
  const hit = groupsCache.get(key);
  if (hit && hit.expires > Date.now()) return hit.groups;
  const response = await es.search({ index, ...manufacturerAggregation(buildQuery(search ? { search } : null)) });
  const groups = groupsFromAggregation(response);
  groupsCache.set(key, { groups, expires: Date.now() + CACHE_TTL_MS });
  return groups;
}

const text = (value) => (typeof value === 'string' && value.trim() ? value.trim() : null);

function integer(value, fallback, name, min, max) {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!/^-?\d+$/.test(value) || parsed < min || parsed > max) {
    throw Object.assign(new Error(`${name} must be an integer between ${min} and ${max}`), { status: 400 });
  }
  return parsed;
}

function paging(query, defaultSize) {
  return { page: integer(query.page, 1, 'page', 1, 10_000), size: integer(query.size, defaultSize, 'size', 1, 100) };
}

const paged = (total, { page, size }) => ({ total, page, size, totalPages: Math.ceil(total / size) });

function parseModels(raw) {
  if (!raw) return [];
  const seen = new Map();
  for (const item of raw.split(',')) {
    const [manufacturer, model] = item.split(':').map((part) => part?.trim());
    if (item.split(':').length !== 2 || !manufacturer || !model) {
      throw Object.assign(new Error(`models must be "Manufacturer:Model" pairs; ${item} is not one`), { status: 400 });
    }
    seen.set(`${manufacturer}\u0000${model}`, { manufacturer, model });
  }
  const key = (m) => [m.manufacturer.toLowerCase(), m.model.toLowerCase()];
  return [...seen.values()].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0;
  });
}

const routes = express.Router();

// Every manufacturer unless `page` or `size` asks for a page, as the old clients expect.
routes.get('/manufacturer-model-combinations', async (req, res) => {
  const asked = req.query.page !== undefined || req.query.size !== undefined;
  const pages = asked ? paging(req.query, 50) : null;
  const groups = await manufacturerGroups(text(req.query.search));
  const offset = pages ? (pages.page - 1) * pages.size : 0;
  const data = (pages ? groups.slice(offset, offset + pages.size) : groups).map((g) => ({
    manufacturer: g.manufacturer,
    count: g.count,
    models: g.models.map((m) => ({ model: m.model, count: m.count })),
  }));
  const header = pages
    ? paged(groups.length, pages)
    : { total: groups.length, page: 1, size: data.length, totalPages: data.length ? 1 : 0 };
  res.json({ ...header, data });
});

routes.get('/vehicles/details', async (req, res) => {
  const q = req.query;
  const pages = paging(q, 20);
  const sortBy = text(q.sortBy);
  if (sortBy && !(sortBy in SORT_FIELDS)) {
    throw Object.assign(new Error(`sortBy must be one of ${Object.keys(SORT_FIELDS).join(', ')}`), { status: 400 });
  }
  const sortOrder = text(q.sortOrder) ?? 'asc';
  const filter = {
    models: parseModels(text(q.models)),
    manufacturer: text(q.manufacturer),
    model: text(q.model),
    yearMin: integer(q.yearMin, null, 'yearMin', 0, 9999),
    yearMax: integer(q.yearMax, null, 'yearMax', 0, 9999),
    bodyClasses: text(q.bodyClass) ? [text(q.bodyClass)] : [],
    dataSources: text(q.dataSource) ? [text(q.dataSource)] : [],
  };
  const orders = sortBy ? [{ field: SORT_FIELDS[sortBy], direction: sortOrder.toUpperCase() }] : DEFAULT_ORDER;
  const response = await es.search({
    index,
    query: buildQuery(filter),
    sort: buildSort(orders),
    size: pages.size,
    from: (pages.page - 1) * pages.size,
    track_total_hits: true,
  });
  const filters = {
    manufacturer: filter.manufacturer,
    model: filter.model,
    yearMin: filter.yearMin,
    yearMax: filter.yearMax,
    bodyClass: filter.bodyClasses[0] ?? null,
    dataSource: filter.dataSources[0] ?? null,
  };
  res.json({
    ...paged(response.hits.total.value, pages),
    query: {
      modelCombos: filter.models,
      filters: Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== null)),
      sortBy,
      sortOrder,
    },
    results: response.hits.hits.map(({ _source: s }) => ({
      vehicle_id: s.vehicle_id,
      manufacturer: s.manufacturer,
      model: s.model,
      year: s.year,
      body_class: s.body_class,
      data_source: s.data_source,
      make_model_year: s.make_model_year,
      instance_count: s.instance_count,
    })),
  });
});

const app = express();
app.use(
  rateLimit({
    windowMs: 60_000,
    limit: Number(process.env.RATE_LIMIT_PER_MINUTE ?? 100),
    standardHeaders: 'draft-7',
    legacyHeaders: false,
  }),
);
app.use((req, res, next) => {
  res.set('X-API-Version', 'v1');
  next();
});
app.use('/api/v1', routes);
app.get('/health', (req, res) => res.json({ status: 'ok', service: 'autos-backend', timestamp: new Date().toISOString() }));
app.use((err, req, res, next) => {
  res.status(err.status ?? 500).json({ error: err.status ? 'Bad request' : 'Internal error', details: err.message });
});

const port = Number(process.env.PORT ?? 3001);
app.listen(port, '127.0.0.1', () => console.log(`express peer ready on ${port}`));
