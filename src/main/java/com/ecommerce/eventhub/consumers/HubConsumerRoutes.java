package com.ecommerce.eventhub.consumers;

import java.time.Duration;
import java.util.List;

import com.ecommerce.eventhub.config.ConsumerProperties;
import com.ecommerce.eventhub.config.ConsumerProperties.Redelivery;
import com.ecommerce.eventhub.config.TopologyProperties;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.endpoint.EndpointRouteBuilder;
import org.apache.camel.component.springrabbit.SpringRabbitMQComponent;
import org.apache.camel.model.errorhandler.DeadLetterChannelDefinition;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The {@code hub-consumer} route template, which every hub consumer (Java or YAML) is
 * made from, and the routes of the {@link HubConsumer} beans.
 *
 * <p>
 * A consumer route takes its own queue with manual acknowledgements
 * ({@link ManualAcknowledgement}) and runs {@link HandlerInvoker} under a dead letter
 * channel that is its one retry layer: the spring-rabbitmq consumer's own Spring Retry is
 * switched off ({@code maximumRetryAttempts=0}), so attempts do not multiply.
 * Redeliveries are asynchronous ({@code asyncDelayedRedelivery} with
 * {@code asyncConsumer=true}): a message waiting for its next attempt holds a prefetch
 * slot but no thread, so the route's other messages keep flowing. That wait is in memory;
 * if the hub stops meanwhile, the unacknowledged message is redelivered by the broker and
 * its attempts start over. A broker-side delay (TTL queues) would survive that but needs
 * a queue per delay step per route. Failures retrying cannot fix
 * ({@code PermanentFailureException}) are dead-lettered at once.
 *
 * <p>
 * Template parameters: {@code queue}, {@code bindings} (routing-key patterns,
 * comma-separated; the queue is declared and bound by {@link ConsumerQueuePolicy}),
 * either {@code handler} (bean name of an {@link EventHandler}) or {@code target} (an
 * endpoint that gets the envelope, see {@link EndpointHandler}) with {@code majors} (its
 * supported major versions), and optionally {@code maximumAttempts},
 * {@code initialDelay}, {@code multiplier}, {@code maxDelay}, {@code attemptTimeout}
 * (durations in milliseconds), which default to {@code hub.consumers.redelivery.*};
 * {@code ordered}, {@code partitions} and {@code afterDeadLetter} (per-aggregate order,
 * see {@link PartitionedQueues}); {@code breakerFailures} and
 * {@code breakerProbeInterval} (the route's circuit breaker).
 */
@Component
class HubConsumerRoutes extends EndpointRouteBuilder {

	static final String TEMPLATE = "hub-consumer";

	private final ConsumerProperties consumers;

	private final TopologyProperties topology;

	private final List<HubConsumer> javaConsumers;

	private final ManualAcknowledgement acknowledgement;

	private final HandlerInvoker invoker;

	private final ConsumerDeadLetters deadLetters;

	private final ConsumerMetrics metrics;

	private final ConsumerQueuePolicy queuePolicy;

	private final ConsumerRoutes routes;

	private final PartitionedQueues partitionedQueues;

	HubConsumerRoutes(ConsumerProperties consumers, TopologyProperties topology,
			ObjectProvider<HubConsumer> javaConsumers, ManualAcknowledgement acknowledgement, HandlerInvoker invoker,
			ConsumerDeadLetters deadLetters, ConsumerMetrics metrics, ConsumerQueuePolicy queuePolicy,
			ConsumerRoutes routes, PartitionedQueues partitionedQueues) {
		this.partitionedQueues = partitionedQueues;
		this.queuePolicy = queuePolicy;
		this.routes = routes;
		this.consumers = consumers;
		this.topology = topology;
		this.javaConsumers = javaConsumers.orderedStream().toList();
		this.acknowledgement = acknowledgement;
		this.invoker = invoker;
		this.deadLetters = deadLetters;
		this.metrics = metrics;
	}

	@Override
	public void configure() {
		getCamelContext().getComponent("spring-rabbitmq", SpringRabbitMQComponent.class)
			.setListenerContainerFactory(this.partitionedQueues);
		from(direct("consumer-dead-letter")).routeId("consumer-dead-letter").process(this.deadLetters::publish);

		Redelivery defaults = this.consumers.redelivery();
		routeTemplate(TEMPLATE).templateParameter("queue", null, "the consumer's own durable queue")
			.templateOptionalParameter("handler", "bean name of an EventHandler (Java consumers)")
			.templateOptionalParameter("target", "endpoint the envelope is sent to (YAML consumers), e.g. direct:x")
			.templateParameter("majors", "1", "major versions a target handles, comma-separated")
			.templateParameter("bindings", "", "routing-key patterns bound to the queue, comma-separated")
			.templateParameter("maximumAttempts", String.valueOf(defaults.maximumAttempts()),
					"tries in all, the first included")
			.templateParameter("initialDelay", millis(defaults.initialDelay()), "wait before the second attempt")
			.templateParameter("multiplier", String.valueOf(defaults.multiplier()), "growth of the wait per attempt")
			.templateParameter("maxDelay", millis(defaults.maxDelay()), "cap of the wait between attempts")
			.templateParameter("attemptTimeout", millis(defaults.attemptTimeout()), "limit of one attempt")
			.templateParameter(ConsumerRoute.SIDE_EFFECTS, ConsumerRoute.AT_LEAST_ONCE,
					"a remote side effect whose earlier attempt ended without an outcome: at-least-once (done again) "
							+ "or at-most-once (dead-lettered)")
			.templateParameter(ConsumerRoute.ORDERED, "false",
					"true: each aggregate's events are handled one at a time, in publish order")
			.templateParameter(ConsumerRoute.PARTITIONS, "4",
					"ordered routes: queues the events are spread over by aggregate, handled in parallel (1 to 64)")
			.templateParameter(ConsumerRoute.AFTER_DEAD_LETTER, "skip",
					"ordered routes: skip (the aggregate goes on) or park (its later events wait in the dead-letter "
							+ "queue behind the dead letter)")
			.templateParameter(ConsumerRoute.BREAKER_FAILURES, String.valueOf(this.consumers.breaker().failures()),
					"transient failures of the peer in a row that open the route's circuit breaker; 0 for none")
			.templateParameter(ConsumerRoute.BREAKER_PROBE_INTERVAL, millis(this.consumers.breaker().probeInterval()),
					"how long an open breaker waits before one attempt probes the peer (ms)")
			.templateParameter("exchange", this.topology.exchange(), "the event exchange")
			.templateParameter("concurrency", String.valueOf(this.consumers.concurrency()),
					"parallel consumers, and the route's attempt threads")
			.templateParameter("prefetch", String.valueOf(this.consumers.prefetch()), "unacknowledged messages held")
			.from(springRabbitmq("{{exchange}}").queues("{{queue}}")
				.autoDeclare(false)
				.acknowledgeMode(org.springframework.amqp.core.AcknowledgeMode.MANUAL)
				.asyncConsumer(true)
				.maximumRetryAttempts(0)
				.disableReplyTo(true)
				.advanced()
				.messageConverter("#" + RawMessageBody.BEAN)
				.concurrentConsumers("{{concurrency}}")
				.prefetchCount("{{prefetch}}"))
			.routePolicy(this.queuePolicy)
			.errorHandler(deadLetterChannel())
			.process(this.acknowledgement)
			.process(this.invoker);

		for (HubConsumer consumer : this.javaConsumers) {
			Redelivery policy = this.consumers.redeliveryFor(consumer.routeId());
			templatedRoute(TEMPLATE).routeId(consumer.routeId())
				.parameter("queue", consumer.queue())
				.parameter("handler", consumer.handlerBean())
				.parameter("bindings", String.join(",", consumer.bindings()))
				.parameter("maximumAttempts", String.valueOf(policy.maximumAttempts()))
				.parameter("initialDelay", millis(policy.initialDelay()))
				.parameter("multiplier", String.valueOf(policy.multiplier()))
				.parameter("maxDelay", millis(policy.maxDelay()))
				.parameter("attemptTimeout", millis(policy.attemptTimeout()))
				.parameter(ConsumerRoute.ORDERED, String.valueOf(consumer.ordered()))
				.parameter(ConsumerRoute.PARTITIONS, String.valueOf(consumer.partitions()))
				.parameter(ConsumerRoute.AFTER_DEAD_LETTER, consumer.parkAfterDeadLetter() ? "park" : "skip")
				.parameter(ConsumerRoute.BREAKER_FAILURES,
						String.valueOf(this.consumers.breakerFor(consumer.routeId()).failures()))
				.parameter(ConsumerRoute.BREAKER_PROBE_INTERVAL,
						millis(this.consumers.breakerFor(consumer.routeId()).probeInterval()))
				.parameter(ConsumerRoute.SIDE_EFFECTS, this.consumers.sideEffectsFor(consumer.routeId()));
		}
	}

	private DeadLetterChannelDefinition deadLetterChannel() {
		DeadLetterChannelDefinition channel = new DeadLetterChannelDefinition("direct:consumer-dead-letter");
		channel.useOriginalMessage();
		// A dead letter the broker did not take fails the exchange: the original is not
		// acked.
		channel.deadLetterHandleNewException(false);
		channel.onPrepareFailure(this.deadLetters::prepare);
		// A failure taken back (AttemptPolicy.uncount: waiting for another delivery, a
		// probe of a peer still down) is no failed attempt and its redelivery no retry.
		channel.onExceptionOccurred(exchange -> {
			if (AttemptPolicy.counted(exchange)) {
				this.metrics.failedAttempt(exchange.getFromRouteId());
			}
		});
		channel.onRedelivery(exchange -> {
			if (AttemptPolicy.counted(exchange)) {
				this.metrics.retried(exchange.getFromRouteId());
			}
		});
		// The number of attempts and the permanent failures are decided per exchange
		// (AttemptPolicy),
		// because a template cannot derive Camel's maximumRedeliveries from
		// maximumAttempts.
		channel.setRetryWhilePredicate(new AttemptPolicy(routeId -> this.routes.get(routeId).maximumAttempts()));
		channel.getRedeliveryPolicy()
			.redeliveryDelay("{{initialDelay}}")
			.backOffMultiplier("{{multiplier}}")
			.maximumRedeliveryDelay("{{maxDelay}}")
			.useExponentialBackOff()
			.asyncDelayedRedelivery()
			.retryAttemptedLogLevel(LoggingLevel.WARN)
			.retriesExhaustedLogLevel(LoggingLevel.ERROR)
			.logStackTrace(false)
			.logRetryStackTrace(false);
		return channel;
	}

	private static String millis(Duration duration) {
		return String.valueOf(duration.toMillis());
	}

}
