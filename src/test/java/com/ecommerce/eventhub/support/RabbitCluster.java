package com.ecommerce.eventhub.support;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.ConnectionFactory;

/**
 * Three RabbitMQ nodes of the installed server clustered on this machine
 * ({@code src/test/cluster/rabbitmq-cluster.sh}): AMQP on 5681-5683, data under
 * {@code target/rabbitmq-cluster}. The RabbitMQ on 5672 is not touched.
 */
public final class RabbitCluster implements AutoCloseable {

	private RabbitCluster() {
	}

	/**
	 * Starts the three nodes with fresh data and clusters them.
	 * @return the cluster; close it to stop the nodes and remove their data
	 */
	public static RabbitCluster start() {
		Scripts.run("rabbitmq-cluster.sh", "start");
		return new RabbitCluster();
	}

	/** {@code spring.rabbitmq.addresses} of the three nodes. */
	public String addresses() {
		return "127.0.0.1:5681,127.0.0.1:5682,127.0.0.1:5683";
	}

	/**
	 * @param node 1, 2 or 3
	 * @return the node's AMQP port
	 */
	public static int port(int node) {
		return 5680 + node;
	}

	/**
	 * A client factory for the test's own connections to one node.
	 * @param node 1, 2 or 3
	 * @return the factory
	 */
	public ConnectionFactory factory(int node) {
		ConnectionFactory factory = TestServices.rabbit();
		factory.setPort(port(node));
		return factory;
	}

	/** The three nodes' addresses, for a test client that must fail over itself. */
	public Address[] nodes() {
		return new Address[] { new Address("127.0.0.1", port(1)), new Address("127.0.0.1", port(2)),
				new Address("127.0.0.1", port(3)) };
	}

	/** kill -9 a node. */
	public void kill(int node) {
		Scripts.run("rabbitmq-cluster.sh", "kill", String.valueOf(node));
	}

	/** Starts a killed node again; it rejoins the cluster. */
	public void startNode(int node) {
		Scripts.run("rabbitmq-cluster.sh", "start-node", String.valueOf(node));
	}

	/** SIGSTOP a node: it hangs, its sockets stay open. */
	public void pause(int node) {
		Scripts.run("rabbitmq-cluster.sh", "pause", String.valueOf(node));
	}

	/** SIGCONT a paused node. */
	public void resume(int node) {
		Scripts.run("rabbitmq-cluster.sh", "resume", String.valueOf(node));
	}

	/** Sets a node's memory high watermark tiny: the cluster blocks publishers. */
	public void memoryAlarm(int node) {
		Scripts.run("rabbitmq-cluster.sh", "alarm", String.valueOf(node));
	}

	/** Puts a node's memory high watermark back. */
	public void clearMemoryAlarm(int node) {
		Scripts.run("rabbitmq-cluster.sh", "clear", String.valueOf(node));
	}

	/**
	 * @param queue a quorum queue
	 * @return the number (1-3) of the node leading it
	 */
	public int leaderOf(String queue) {
		return Integer.parseInt(Scripts.run("rabbitmq-cluster.sh", "leader", queue));
	}

	/**
	 * @param queue a quorum queue
	 * @return how many members (replicas) it has
	 */
	public int membersOf(String queue) {
		return Integer.parseInt(Scripts.run("rabbitmq-cluster.sh", "members", queue));
	}

	/**
	 * @param name a client-provided connection name, e.g. {@code event-hub-publisher}
	 * @return how many connections of that name the cluster has open
	 */
	public int connectionsNamed(String name) {
		return Integer.parseInt(Scripts.run("rabbitmq-cluster.sh", "connections", name));
	}

	@Override
	public void close() {
		Scripts.run("rabbitmq-cluster.sh", "stop");
	}

}
