using Microsoft.Extensions.Logging;
using Platform.Contracts;

namespace Platform.Messaging;

internal sealed partial class EventConsumer<TEvent> where TEvent : IntegrationEvent
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Consumer {Durable} interrupted; resuming.")]
        public static partial void ConsumerInterrupted(ILogger logger, Exception exception, string durable);

        [LoggerMessage(2, LogLevel.Warning, "Event {EventId} failed in {Durable} (delivery {Deliveries}); it will be retried.")]
        public static partial void WillRetry(ILogger logger, Exception exception, Guid eventId, string durable, int deliveries);

        [LoggerMessage(3, LogLevel.Error, "Event {EventId} failed in {Durable} on delivery {Deliveries}, the last attempt.")]
        public static partial void GivingUp(ILogger logger, Exception exception, Guid eventId, string durable, int deliveries);

        [LoggerMessage(5, LogLevel.Information, "Consumer {Durable} resumes after NATS reconnected.")]
        public static partial void Resuming(ILogger logger, string durable);

        [LoggerMessage(6, LogLevel.Warning, "A batch of {Count} events failed in {Durable}; retrying them one by one.")]
        public static partial void BatchFailed(ILogger logger, Exception exception, string durable, int count);

        [LoggerMessage(7, LogLevel.Warning, "Consumer {Durable} could not report a job in progress; it may be delivered again.")]
        public static partial void ProgressNotSent(ILogger logger, Exception exception, string durable);

        [LoggerMessage(4, LogLevel.Error, "Message on {Subject} dead-lettered by {Durable}: {Reason}")]
        public static partial void DeadLettered(ILogger logger, string subject, string durable, string reason);
    }
}
