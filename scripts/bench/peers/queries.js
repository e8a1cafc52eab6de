// The Elasticsearch request bodies both peers send: the same queries autos-graph
// builds (datasources/vehicles/), written the way a Node service would hold them.
// The benchmark compares answers, so any difference here fails the run.

export const SORT_FIELDS = {
  MANUFACTURER: 'manufacturer.keyword',
  MODEL: 'model.keyword',
  YEAR: 'year',
  BODY_CLASS: 'body_class.keyword',
  INSTANCE_COUNT: 'instance_count',
  DATA_SOURCE: 'data_source',
};

const MAX_SEARCH_TERMS = 8;
// Text this long or longer also matches inside a name ('stang' finds Mustang).
const INFIX_MIN_LENGTH = 3;

const keywordEquals = (field, value) => ({ term: { [field]: { value, case_insensitive: true } } });

const infixMatch = (field, text) =>
  text.length < INFIX_MIN_LENGTH
    ? []
    : [{ wildcard: { [field]: { value: `*${text.replace(/[\\*?]/g, '\\$&')}*`, case_insensitive: true } } }];

const partialText = (field, value) => ({
  bool: {
    should: [
      keywordEquals(`${field}.keyword`, value),
      { match_phrase_prefix: { [field]: { query: value, max_expansions: 50 } } },
      ...infixMatch(`${field}.keyword`, value),
    ],
    minimum_should_match: 1,
  },
});

const fuzzySearch = (text) => ({
  bool: {
    must: text
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, MAX_SEARCH_TERMS)
      .map((word) => ({
        bool: {
          should: [
            {
              multi_match: {
                query: word,
                fields: ['manufacturer^2', 'model'],
                fuzziness: 'AUTO',
                prefix_length: 1,
              },
            },
            { multi_match: { query: word, fields: ['manufacturer', 'model'], type: 'phrase_prefix' } },
            ...infixMatch('manufacturer.keyword', word),
            ...infixMatch('model.keyword', word),
          ],
          minimum_should_match: 1,
        },
      })),
  },
});

const trimmed = (value) => (typeof value === 'string' && value.trim() ? value.trim() : null);

export function buildQuery(filter) {
  if (!filter) return { match_all: {} };
  const must = [];
  const filters = [];
  const models = filter.models ?? [];
  if (models.length) {
    filters.push({
      bool: {
        should: models.map((m) => ({
          bool: {
            filter: [
              keywordEquals('manufacturer.keyword', m.manufacturer.trim()),
              keywordEquals('model.keyword', m.model.trim()),
            ],
          },
        })),
        minimum_should_match: 1,
      },
    });
  }
  const manufacturer = trimmed(filter.manufacturer);
  const model = trimmed(filter.model);
  const search = trimmed(filter.search);
  if (manufacturer) filters.push(partialText('manufacturer', manufacturer));
  if (model) filters.push(partialText('model', model));
  if (search) must.push(fuzzySearch(search));
  if (filter.yearMin != null || filter.yearMax != null) {
    const range = {};
    if (filter.yearMin != null) range.gte = filter.yearMin;
    if (filter.yearMax != null) range.lte = filter.yearMax;
    filters.push({ range: { year: range } });
  }
  const bodyClasses = filter.bodyClasses ?? [];
  if (bodyClasses.length) {
    filters.push({
      bool: { should: bodyClasses.map((b) => keywordEquals('body_class.keyword', b)), minimum_should_match: 1 },
    });
  }
  const dataSources = filter.dataSources ?? [];
  if (dataSources.length) filters.push({ terms: { data_source: dataSources } });
  if (!must.length && !filters.length) return { match_all: {} };
  return { bool: { must, filter: filters } };
}

// `orders` are [{field: 'YEAR', direction: 'DESC'}]; vehicle_id breaks ties so pages are stable.
export function buildSort(orders, { relevance = false } = {}) {
  const sort = (orders ?? []).map((o) => ({
    [SORT_FIELDS[o.field]]: { order: (o.direction ?? 'ASC').toLowerCase() },
  }));
  if (!sort.length) {
    if (relevance) sort.push({ _score: { order: 'desc' } });
    else
      sort.push(
        { 'manufacturer.keyword': { order: 'asc' } },
        { 'model.keyword': { order: 'asc' } },
        { year: { order: 'asc' } },
      );
  }
  sort.push({ vehicle_id: { order: 'asc' } });
  return sort;
}

export const manufacturerAggregation = (query) => ({
  size: 0,
  query,
  aggs: {
    manufacturers: {
      terms: { field: 'manufacturer.keyword', size: 1000, order: { _key: 'asc' } },
      aggs: {
        models: {
          terms: { field: 'model.keyword', size: 1000, order: { _key: 'asc' } },
          aggs: { year_min: { min: { field: 'year' } }, year_max: { max: { field: 'year' } } },
        },
      },
    },
  },
});

export const groupsFromAggregation = (response) =>
  response.aggregations.manufacturers.buckets.map((bucket) => ({
    manufacturer: bucket.key,
    count: bucket.doc_count,
    models: bucket.models.buckets.map((m) => ({
      model: m.key,
      count: m.doc_count,
      yearMin: Math.trunc(m.year_min.value),
      yearMax: Math.trunc(m.year_max.value),
    })),
  }));

export const encodeCursor = (values) => Buffer.from(JSON.stringify(values)).toString('base64url');
