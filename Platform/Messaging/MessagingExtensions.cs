using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Platform.Contracts;

namespace Platform.Messaging;

public static class MessagingExtensions
{
    /// <summary>The JetStream event bus over the NATS connection registered with <c>AddNatsClient</c>.</summary>
    public static IHostApplicationBuilder AddEventBus(this IHostApplicationBuilder builder)
    {
        builder.AddNatsJetStream();
        builder.Services.TryAddSingleton<JetStreamTopology>();
        builder.Services.TryAddSingleton<EventPublisher>();
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource(MessagingTelemetry.ActivitySourceName));
        return builder;
    }

    /// <summary>Consumes <typeparamref name="TEvent"/> with <typeparamref name="THandler"/> through a durable consumer.</summary>
    public static IHostApplicationBuilder AddEventConsumer<TEvent, THandler>(this IHostApplicationBuilder builder, Action<EventConsumerOptions> configure)
        where TEvent : IntegrationEvent
        where THandler : class, IIntegrationEventHandler<TEvent>
    {
        builder.Services.AddScoped<IIntegrationEventHandler<TEvent>, THandler>();
        return builder.AddConsumer<TEvent>(configure, batches: false, (services, events, cancellationToken) =>
            services.GetRequiredService<IIntegrationEventHandler<TEvent>>().HandleAsync(events[0], cancellationToken));
    }

    /// <summary>
    /// Consumes <typeparamref name="TEvent"/> in batches of up to <see cref="EventConsumerOptions.BatchSize"/> with
    /// <typeparamref name="THandler"/>, for streams where one transaction per event would be the bottleneck.
    /// </summary>
    public static IHostApplicationBuilder AddBatchEventConsumer<TEvent, THandler>(this IHostApplicationBuilder builder, Action<EventConsumerOptions> configure)
        where TEvent : IntegrationEvent
        where THandler : class, IIntegrationEventBatchHandler<TEvent>
    {
        builder.Services.AddScoped<IIntegrationEventBatchHandler<TEvent>, THandler>();
        return builder.AddConsumer<TEvent>(configure, batches: true, (services, events, cancellationToken) =>
            services.GetRequiredService<IIntegrationEventBatchHandler<TEvent>>().HandleAsync(events, cancellationToken));
    }

    private static IHostApplicationBuilder AddConsumer<TEvent>(
        this IHostApplicationBuilder builder, Action<EventConsumerOptions> configure, bool batches, Func<IServiceProvider, IReadOnlyList<TEvent>, CancellationToken, Task> handle)
        where TEvent : IntegrationEvent
    {
        var options = new EventConsumerOptions();
        configure(options);
        builder.Configuration.GetSection($"Messaging:Consumers:{options.Durable}").Bind(options);
        if (string.IsNullOrWhiteSpace(options.Durable) || string.IsNullOrWhiteSpace(options.FilterSubject) || options.MaxAttempts < 1 || options.BatchSize < 1)
        {
            throw new InvalidOperationException($"Consumer of {typeof(TEvent).Name} needs a Durable name, a FilterSubject, and MaxAttempts and BatchSize of 1 or more.");
        }
        if (!batches)
        {
            options.BatchSize = 1;
        }

        builder.AddEventBus();
        builder.Services.AddSingleton<IHostedService>(services => new EventConsumer<TEvent>(
            options,
            handle,
            services.GetRequiredService<INatsConnection>(),
            services.GetRequiredService<INatsJSContext>(),
            services.GetRequiredService<JetStreamTopology>(),
            services.GetRequiredService<IServiceScopeFactory>(),
            services.GetRequiredService<ILogger<EventConsumer<TEvent>>>()));
        return builder;
    }
}
