// Prints the standard introspection queries of graphql-js, as its users' tools send them.
// Apollo Sandbox loads the schema with graphql-js's query and `inputValueDeprecation` on.
import { getIntrospectionQuery } from "graphql";

const queries = {
  "graphql-js-all-options": getIntrospectionQuery({
    descriptions: true,
    specifiedByUrl: true,
    directiveIsRepeatable: true,
    schemaDescription: true,
    inputValueDeprecation: true,
    oneOf: true,
  }),
  "apollo-sandbox": getIntrospectionQuery({ inputValueDeprecation: true }),
};
process.stdout.write(JSON.stringify(queries));
