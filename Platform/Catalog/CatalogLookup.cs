namespace Platform.Catalog;

/// <summary>The model found, or, for an ambiguous bare id, the candidates to choose from.</summary>
public readonly record struct CatalogLookup(CatalogModel? Model, IReadOnlyList<CatalogModel> Ambiguous);
