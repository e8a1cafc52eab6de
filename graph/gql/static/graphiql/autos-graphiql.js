// Starts GraphiQL against this server's /graphql with an example query preloaded.
// Kept in a file (not inline) so a strict Content-Security-Policy can allow 'self' only.
(function () {
  "use strict";
  var EXAMPLE_QUERY = [
    "# autos-graph: vehicle catalog data. Press the run button (or Ctrl-Enter).",
    "query Picker {",
    "  manufacturerModelCombinations(search: \"ford\", first: 3) {",
    "    totalCount",
    "    nodes {",
    "      manufacturer",
    "      count",
    "      models { model count yearMin yearMax }",
    "    }",
    "  }",
    "  vehicles(",
    "    filter: { manufacturer: \"ford\", yearMin: 1960, yearMax: 1975 }",
    "    sort: [{ field: YEAR, direction: ASC }]",
    "    first: 3",
    "  ) {",
    "    totalCount",
    "    pageInfo { hasNextPage endCursor }",
    "    nodes { id manufacturer model year bodyClass dataSource instanceCount }",
    "  }",
    "}",
    "",
  ].join("\n");

  var params = new URLSearchParams(window.location.search);
  var fetcher = GraphiQL.createFetcher({ url: window.location.pathname });

  function onEdit(name) {
    return function (value) {
      if (value) { params.set(name, value); } else { params.delete(name); }
      history.replaceState(null, "", "?" + params.toString());
    };
  }

  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      defaultQuery: EXAMPLE_QUERY,
      query: params.get("query") || undefined,
      variables: params.get("variables") || undefined,
      onEditQuery: onEdit("query"),
      onEditVariables: onEdit("variables"),
    })
  );
})();
