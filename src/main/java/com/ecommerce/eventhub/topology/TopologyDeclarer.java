package com.ecommerce.eventhub.topology;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import com.ecommerce.eventhub.config.TopologyProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.AmqpConnectException;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.amqp.RabbitConnectionDetails;
import org.springframework.stereotype.Component;

/**
 * Makes sure the topology exists before anything is published to it. RabbitMQ confirms a
 * message that no queue receives and drops it, so publishing before the bindings exist
 * would lose events.
 * <p>
 * Start-up declares it before Camel starts any route and fails when the broker cannot be
 * reached within {@code hub.topology.startup-wait} (or refuses a declaration): a hub
 * without its broker must not report itself started, and it never falls back to anything
 * else.
 */
@Component
public class TopologyDeclarer implements SmartInitializingSingleton {

	private static final Logger log = LoggerFactory.getLogger(TopologyDeclarer.class);

	private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);

	private final AmqpAdmin rabbitAdmin;

	private final Duration startupWait;

	private final String addresses;

	private volatile boolean declared;

	public TopologyDeclarer(AmqpAdmin rabbitAdmin, TopologyProperties topology, RabbitConnectionDetails broker) {
		this.rabbitAdmin = rabbitAdmin;
		this.startupWait = topology.startupWait();
		this.addresses = describe(broker.getAddresses());
	}

	private static String describe(List<RabbitConnectionDetails.Address> addresses) {
		return addresses.stream().map(a -> a.host() + ":" + a.port()).collect(Collectors.joining(","));
	}

	@Override
	public void afterSingletonsInstantiated() {
		long deadline = System.nanoTime() + this.startupWait.toNanos();
		while (true) {
			try {
				ensureDeclared();
				return;
			}
			catch (AmqpConnectException ex) {
				if (System.nanoTime() - deadline >= 0) {
					throw new BrokerUnavailableException(this.addresses, this.startupWait, ex);
				}
				log.info("Waiting for RabbitMQ at {}: {}", this.addresses, ex.getMessage());
				pause();
			}
			catch (RuntimeException ex) {
				// The broker answered and refused a declaration (e.g. a queue that exists
				// with other arguments): waiting does not change that.
				throw new BrokerUnavailableException(this.addresses, ex);
			}
		}
	}

	private static void pause() {
		try {
			Thread.sleep(RETRY_PAUSE.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for RabbitMQ", ex);
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
