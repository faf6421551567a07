package com.ecommerce.eventhub.topology;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Makes sure the topology exists before anything is published to it. RabbitMQ confirms a
 * message that no queue receives and drops it, so publishing before the bindings exist
 * would lose events.
 */
@Component
public class TopologyDeclarer {

	private static final Logger log = LoggerFactory.getLogger(TopologyDeclarer.class);

	private final AmqpAdmin rabbitAdmin;

	private volatile boolean declared;

	public TopologyDeclarer(AmqpAdmin rabbitAdmin) {
		this.rabbitAdmin = rabbitAdmin;
	}

	@EventListener(ApplicationReadyEvent.class)
	void declareAtStartup() {
		try {
			ensureDeclared();
		}
		catch (RuntimeException ex) {
			// The broker may come up after the hub; the relay declares again before its
			// first publish.
			log.warn("Could not declare the RabbitMQ topology at start-up, will retry before publishing: {}",
					ex.getMessage());
		}
	}

	/**
	 * Declares the topology unless it was declared on the current broker connection
	 * already. Spring AMQP redeclares by itself whenever its connection is
	 * re-established.
	 */
	public void ensureDeclared() {
		if (!this.declared) {
			this.rabbitAdmin.initialize();
			this.declared = true;
		}
	}

	/**
	 * Forces the next {@link #ensureDeclared()} to declare again, e.g. after a broker
	 * outage.
	 */
	public void invalidate() {
		this.declared = false;
	}

}
