"""Vehicle queries: the record, the filter and sort, reads by id and page, and the aggregations."""
