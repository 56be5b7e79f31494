namespace Platform.Contracts;

public sealed record DecisionFeatures(
    int InputTokens, bool Code, bool Math, string? Domain, string JsonStrictness, bool Tools, bool Vision,
    double Novelty, string Intent, double IntentConfidence, bool IntentFromRules, bool BudgetPressure, bool Overloaded);
