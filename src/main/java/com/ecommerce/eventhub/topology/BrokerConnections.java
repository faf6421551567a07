package com.ecommerce.eventhub.topology;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

import org.springframework.amqp.rabbit.connection.AbstractConnectionFactory;
import org.springframework.boot.autoconfigure.amqp.RabbitConnectionDetails;
import org.springframework.stereotype.Component;

/**
 * Opens the hub's own RabbitMQ connections (the relay's, the dead-letter operations')
 * with the whole address list of {@code spring.rabbitmq.addresses}, in a random order:
 * when a node of a cluster is gone the connection goes to the next one, and several
 * instances spread over the nodes. Spring AMQP's connections (consumers, templates) do
 * the same with {@code spring.rabbitmq.address-shuffle-mode}. Credentials, virtual host,
 * TLS and timeouts are Spring Boot's, from the same client factory.
 */
@Component
public class BrokerConnections {

	/**
	 * How long the client waits for a channel-level answer (e.g. opening a channel)
	 * before giving up; the client's own default is ten minutes, long enough for a hung
	 * node to wedge a relay worker.
	 */
	static final Duration CHANNEL_RPC_TIMEOUT = Duration.ofSeconds(10);

	private final ConnectionFactory factory;

	private final List<Address> addresses;

	public BrokerConnections(AbstractConnectionFactory springConnectionFactory, RabbitConnectionDetails details) {
		this.factory = springConnectionFactory.getRabbitConnectionFactory();
		this.addresses = details.getAddresses().stream().map(a -> new Address(a.host(), a.port())).toList();
	}

	/**
	 * Opens a connection to the first node of the shuffled address list that answers.
	 * @param name the client-provided connection name shown by the broker
	 * @return an open connection, the caller's to close
	 * @throws IOException when no node can be reached
	 */
	public Connection open(String name) throws IOException {
		List<Address> shuffled = new ArrayList<>(this.addresses);
		Collections.shuffle(shuffled);
		try {
			return this.factory.newConnection(shuffled, name);
		}
		catch (TimeoutException ex) {
			throw new IOException("timed out connecting to RabbitMQ at " + shuffled, ex);
		}
	}

}
