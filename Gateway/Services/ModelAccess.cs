using Gateway.Model;

namespace Gateway.Services;

public static class ModelAccess
{
    /// <summary>Whether the key's allow-list (empty: everything) names the model, qualified or bare.</summary>
    public static bool Allows(TenantKey key, CatalogModel model) =>
        key.AllowedModels.Length == 0
        || key.AllowedModels.Contains(model.QualifiedId, StringComparer.Ordinal)
        || key.AllowedModels.Contains(model.Model.Id, StringComparer.Ordinal);
}
