using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace Microsoft.Extensions.Hosting;

public static class MessagingExtensions
{
    /// <summary>The JetStream event bus over the NATS connection registered with <c>AddNatsClient</c>.</summary>
    public static IHostApplicationBuilder AddEventBus(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<JetStreamTopology>();
        builder.Services.TryAddSingleton<EventPublisher>();
        return builder;
    }

    /// <summary>Consumes <typeparamref name="TEvent"/> with <typeparamref name="THandler"/> through a durable consumer.</summary>
    public static IHostApplicationBuilder AddEventConsumer<TEvent, THandler>(this IHostApplicationBuilder builder, Action<EventConsumerOptions> configure)
        where TEvent : IntegrationEvent
        where THandler : class, IIntegrationEventHandler<TEvent>
    {
        var options = new EventConsumerOptions();
        configure(options);
        builder.Configuration.GetSection($"Messaging:Consumers:{options.Durable}").Bind(options);
        if (string.IsNullOrWhiteSpace(options.Durable) || string.IsNullOrWhiteSpace(options.FilterSubject) || options.MaxAttempts < 1)
        {
            throw new InvalidOperationException($"Consumer of {typeof(TEvent).Name} needs a Durable name, a FilterSubject and MaxAttempts of 1 or more.");
        }

        builder.AddEventBus();
        builder.Services.AddScoped<IIntegrationEventHandler<TEvent>, THandler>();
        builder.Services.AddSingleton<IHostedService>(services => new EventConsumer<TEvent>(
            options,
            services.GetRequiredService<INatsConnection>(),
            services.GetRequiredService<INatsJSContext>(),
            services.GetRequiredService<JetStreamTopology>(),
            services.GetRequiredService<IServiceScopeFactory>(),
            services.GetRequiredService<ILogger<EventConsumer<TEvent>>>()));
        return builder;
    }
}
