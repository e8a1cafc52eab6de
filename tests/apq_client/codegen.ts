// graphql-codegen's client preset, as a frontend build runs it: typed documents and,
// with persistedDocuments, the manifest persisted-documents.json ({hash: document}).
import { type CodegenConfig } from "@graphql-codegen/cli";
import { addTypenameSelectionDocumentTransform } from "@graphql-codegen/client-preset";

const config: CodegenConfig = {
  schema: "../../schema.graphql",
  documents: "documents/*.graphql",
  generates: {
    // The test suite writes it elsewhere (CODEGEN_OUTPUT), as a build writes into its own tree.
    [process.env.CODEGEN_OUTPUT ?? "generated/"]: {
      preset: "client",
      presetConfig: { persistedDocuments: { hashAlgorithm: "sha256" } },
      // Apollo Client adds __typename to every selection set; the manifest's documents must too.
      documentTransforms: [addTypenameSelectionDocumentTransform],
    },
  },
};

export default config;
