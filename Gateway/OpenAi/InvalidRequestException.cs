namespace Gateway.OpenAi;

/// <summary>A client's mistake in a request body, naming the parameter as OpenAI does (<c>messages[1].role</c>).</summary>
public sealed class InvalidRequestException(string param, string message) : Exception(message)
{
    public string Param { get; } = param;

    public IResult ToResult(HttpContext http) => ApiErrors.Create(http, StatusCodes.Status400BadRequest, Message, param: Param.Length == 0 ? null : Param);
}
