using Gateway.Model;

namespace Gateway.Chat;

public static class ModelAccess
{
    /// <summary>Whether the key's allow-list (empty: everything) names the model, qualified or bare.</summary>
    public static bool Allows(TenantKey key, CatalogModel model) =>
        key.AllowedModels.Length == 0
        || key.AllowedModels.Contains(model.QualifiedId, StringComparer.Ordinal)
        || key.AllowedModels.Contains(model.Model.Id, StringComparer.Ordinal);

    /// <summary>The catalog model a request names, or the OpenAI error that says why it cannot have it.</summary>
    public static (CatalogModel? Model, IResult? Error) Resolve(ModelCatalog catalog, TenantKey key, string requested, bool embedding, string param = "model")
    {
        var lookup = catalog.Find(requested);
        if (lookup.Model is not { } model)
        {
            return (null, lookup.Ambiguous.Count > 0
                ? OpenAiErrors.Create(StatusCodes.Status400BadRequest,
                    $"The model '{requested}' is offered by several providers; name one of: {string.Join(", ", lookup.Ambiguous.Select(m => m.QualifiedId))}.",
                    param: param, code: "model_ambiguous")
                : OpenAiErrors.Create(StatusCodes.Status404NotFound, $"The model '{requested}' does not exist.", param: param, code: "model_not_found"));
        }
        if (!Allows(key, model))
        {
            return (null, OpenAiErrors.Create(StatusCodes.Status403Forbidden, $"This API key may not use the model '{model.QualifiedId}'.", param: param, code: "model_not_allowed"));
        }
        if (model.IsEmbedding != embedding)
        {
            return (null, OpenAiErrors.Create(StatusCodes.Status400BadRequest,
                $"The model '{model.QualifiedId}' is {(model.IsEmbedding ? "an embedding" : "a chat")} model.", param: param, code: "model_not_supported"));
        }
        return (model, null);
    }
}
