using System.Reflection;

namespace Gateway.UnitTests;

/// <summary>
/// A stand-in for a StackExchange.Redis interface: each call goes to the handler of its method's name, with the
/// call's arguments; a call without a handler fails the test. Enough for code that makes a few Redis calls.
/// </summary>
public class RedisFake : DispatchProxy
{
    private Dictionary<string, Func<object?[], object?>> _handlers = [];

    public static T Create<T>(Dictionary<string, Func<object?[], object?>> handlers) where T : class
    {
        var fake = DispatchProxy.Create<T, RedisFake>();
        ((RedisFake)(object)fake)._handlers = handlers;
        return fake;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
        _handlers.TryGetValue(targetMethod!.Name, out var handler)
            ? handler(args ?? [])
            : throw new NotSupportedException($"The test did not expect {targetMethod.Name}.");
}
