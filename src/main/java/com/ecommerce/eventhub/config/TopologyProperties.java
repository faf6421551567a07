package com.ecommerce.eventhub.config;

import java.time.Duration;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The RabbitMQ topology the hub declares at start-up ({@code hub.topology.*}).
 *
 * @param exchange the durable topic exchange every event is published to
 * @param deadLetterQueue the durable queue that keeps what could not be handled
 * @param deadLetterTtl how long a dead letter stays in the queue (spec: 7 days)
 * @param queueType {@code quorum} (replicated, for clusters) or {@code classic}
 * @param deliveryLimit quorum queues only: deliveries of one message before the broker
 * drops it; RabbitMQ 3.10 has no default, so a poison message would loop forever
 * @param domainQueues the domain queues and their binding patterns, so no event is
 * unroutable
 * @param rabbitmqExtensions whether the hub uses RabbitMQ's extensions to AMQP 0-9-1:
 * dead-lettering queue arguments (a consumer queue's overflow to the dead-letter queue,
 * the dead-letter queue's expiry into the archive) and exchange-to-exchange bindings (the
 * partitions of an ordered consumer). Off only for a broker without them (the embedded
 * broker of dev mode): the hub still dead-letters what it cannot handle, but dead letters
 * are never archived, and an ordered consumer has a single partition
 * @param startupWait how long start-up waits for the broker to take the topology before
 * it fails; a hub without its broker must not look started
 */
@Validated
@ConfigurationProperties("hub.topology")
public record TopologyProperties(@DefaultValue("ecommerce.events") @NotBlank String exchange,
		@DefaultValue("dead-letter") @NotBlank String deadLetterQueue, @DefaultValue("P7D") Duration deadLetterTtl,
		@DefaultValue("quorum") QueueType queueType, @DefaultValue("20") @Positive int deliveryLimit,
		@NotEmpty List<@Valid DomainQueue> domainQueues, @DefaultValue("true") boolean rabbitmqExtensions,
		@DefaultValue("30s") Duration startupWait) {

	/** The RabbitMQ queue types the hub declares. */
	public enum QueueType {

		/** Raft-replicated queue; the choice for a cluster. */
		QUORUM,

		/** Single-node queue. */
		CLASSIC

	}

	/**
	 * A domain queue and the routing-key patterns bound to it.
	 *
	 * @param name the queue name, e.g. {@code order.events}
	 * @param bindings topic patterns, e.g. {@code order.#}
	 */
	public record DomainQueue(@NotBlank String name, @NotEmpty List<@NotBlank String> bindings) {
	}

}
