// graphql-codegen: the same TypeScript types from the running server (introspection of
// GRAPHQL_URL) and from schema.graphql, so the test can check that they agree and compile.
// Schema types and operation types go to separate files: both plugins emit the input types.
const config = { enumsAsTypes: true };
const sources = { "from-server": process.env.GRAPHQL_URL, "from-sdl": "../../schema.graphql" };

const generates = {};
for (const [name, schema] of Object.entries(sources)) {
  generates[`generated/codegen/${name}.schema.ts`] = { schema, plugins: ["typescript"], config };
  generates[`generated/codegen/${name}.operations.ts`] = {
    schema,
    documents: "documents/*.graphql",
    plugins: ["typescript-operations"],
    config,
  };
}

module.exports = { overwrite: true, generates };
