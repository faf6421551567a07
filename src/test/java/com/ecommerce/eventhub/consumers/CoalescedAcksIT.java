package com.ecommerce.eventhub.consumers;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import com.ecommerce.eventhub.support.TestServices;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.MessageProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ChannelProxy;
import org.springframework.amqp.rabbit.connection.RabbitUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link CoalescedAcks} against RabbitMQ: a multiple ack never settles a delivery still
 * in flight or one that never reached the route (both come back when the channel closes),
 * done deliveries are settled with fewer ack frames than messages, and nothing done waits
 * longer than the ack delay.
 */
class CoalescedAcksIT {

	private static final Duration NEVER = Duration.ofMinutes(10);

	private final String queue = "coalesced-acks-" + UUID.randomUUID();

	private Connection connection;

	private Channel consuming;

	private final List<String> frames = new CopyOnWriteArrayList<>();

	private final BlockingQueue<Long> tags = new LinkedBlockingQueue<>();

	private final List<String> bodies = new CopyOnWriteArrayList<>();

	@BeforeEach
	void declareQueue() throws Exception {
		this.connection = TestServices.rabbit().newConnection("coalesced-acks-it");
		try (Channel channel = this.connection.createChannel()) {
			channel.queueDeclare(this.queue, true, false, false, Map.of("x-queue-type", "quorum"));
		}
	}

	@AfterEach
	void deleteQueue() throws Exception {
		try (Channel channel = this.connection.createChannel()) {
			channel.queueDelete(this.queue);
		}
		this.connection.close();
	}

	@Test
	void aMultipleAckCoversOnlyTheDoneDeliveriesBelowTheOldestInFlight() throws Exception {
		CoalescedAcks acks = new CoalescedAcks(NEVER);
		List<CoalescedAcks.Delivery> deliveries = deliver(acks, 5);

		deliveries.get(0).ack();
		deliveries.get(1).ack();
		assertThat(this.frames).as("2 done, 3 in flight: waiting for more").isEmpty();
		deliveries.get(3).ack();
		assertThat(this.frames).as("as many done as in flight: sent").containsExactly("ack 2 multiple", "ack 4");
		deliveries.get(4).ack();
		assertThat(this.frames).containsExactly("ack 2 multiple", "ack 4", "ack 5");

		assertThat(redeliveredAfterClose()).as("the one in flight, and only it").containsExactly("m3");
	}

	@Test
	void aChannelWithATagThatNeverReachedTheRouteIsAckedOneByOne() throws Exception {
		CoalescedAcks acks = new CoalescedAcks(NEVER);
		publish(3);
		consume();
		Channel observed = recording(this.consuming);
		long first = nextTag();
		long skipped = nextTag();
		long third = nextTag();
		CoalescedAcks.Delivery one = acks.register(observed, first);
		CoalescedAcks.Delivery three = acks.register(observed, third);

		one.ack();
		three.ack();

		assertThat(this.frames).containsExactly("ack " + first, "ack " + third);
		assertThat(skipped).isEqualTo(2);
		assertThat(redeliveredAfterClose()).containsExactly("m2");
	}

	@Test
	void manyDoneDeliveriesTakeFewAckFrames() throws Exception {
		CoalescedAcks acks = new CoalescedAcks(NEVER);
		List<CoalescedAcks.Delivery> deliveries = deliver(acks, 100);

		deliveries.forEach(CoalescedAcks.Delivery::ack);

		// Sent whenever half of those still unsettled are done: 50, 75, 88, ... 100.
		assertThat(this.frames).hasSizeLessThanOrEqualTo(8).last().isEqualTo("ack 100 multiple");
		assertThat(redeliveredAfterClose()).isEmpty();
	}

	@Test
	void aDoneDeliveryIsAckedAfterTheDelayWhileOthersAreInFlight() throws Exception {
		CoalescedAcks acks = new CoalescedAcks(Duration.ofMillis(50));
		List<CoalescedAcks.Delivery> deliveries = deliver(acks, 3);

		deliveries.get(0).ack();

		await().atMost(Duration.ofSeconds(10)).until(() -> this.frames.contains("ack 1 multiple"));
		assertThat(redeliveredAfterClose()).containsExactly("m2", "m3");
	}

	@Test
	void aRequeuedDeliveryComesBackAndTheOthersAreAcked() throws Exception {
		CoalescedAcks acks = new CoalescedAcks(NEVER);
		List<CoalescedAcks.Delivery> deliveries = deliver(acks, 2);

		deliveries.get(0).requeue();
		deliveries.get(1).ack();

		assertThat(this.frames).containsExactly("nack 1 requeue", "ack 2 multiple");
		await().atMost(Duration.ofSeconds(10)).until(() -> this.bodies.size() == 3);
		assertThat(this.bodies).as("m1 delivered again on the open channel").containsExactly("m1", "m2", "m1");
		assertThat(redeliveredAfterClose()).as("the new delivery of m1 was never acked").containsExactly("m1");
	}

	@Test
	void aClosedChannelIsForgotten() throws Exception {
		CoalescedAcks acks = new CoalescedAcks(NEVER);
		deliver(acks, 1);
		assertThat(acks.trackedChannels()).isEqualTo(1);

		this.consuming.close();

		await().atMost(Duration.ofSeconds(10)).until(() -> acks.trackedChannels() == 0);
	}

	@Test
	void aDeliveryOnAChannelClosedMeanwhileIsNeitherTrackedNorAnError() throws Exception {
		CoalescedAcks acks = new CoalescedAcks(NEVER);
		publish(1);
		consume();
		long tag = nextTag();
		this.consuming.close();

		CoalescedAcks.Delivery delivery = acks.register(this.consuming, tag);
		delivery.ack();

		assertThat(acks.trackedChannels()).isZero();
		assertThat(redeliveredAfterClose()).as("returned by the broker when the channel closed").containsExactly("m1");
	}

	@Test
	void anAckOfAnEarlierChannelNeverReachesTheOneSpringsProxyOpenedInItsPlace() throws Exception {
		CachingConnectionFactory spring = new CachingConnectionFactory(TestServices.rabbit());
		try {
			publish(2);
			Channel proxied = spring.createConnection().createChannel(false);
			assertThat(proxied).isInstanceOf(ChannelProxy.class);
			this.consuming = proxied;
			consumeOn(proxied);
			CoalescedAcks acks = new CoalescedAcks(NEVER);
			CoalescedAcks.Delivery first = acks.register(proxied, nextTag());
			CoalescedAcks.Delivery second = acks.register(proxied, nextTag());
			// The channel under the proxy closes (m1 and m2 go back to the queue); the
			// proxy opens another one, whose tags start at 1 again.
			((ChannelProxy) proxied).getTargetChannel().close();
			consumeOn(proxied);
			assertThat(nextTag()).isEqualTo(1);
			assertThat(nextTag()).isEqualTo(2);

			first.ack();
			second.ack();

			RabbitUtils.setPhysicalCloseRequired(proxied, true);
			assertThat(redeliveredAfterClose()).as("neither settled by the earlier channel's acks")
				.containsExactlyInAnyOrder("m1", "m2");
			await().atMost(Duration.ofSeconds(10)).until(() -> acks.trackedChannels() == 0);
		}
		finally {
			spring.destroy();
		}
	}

	/** Publishes and consumes {@code count} messages, each registered as delivered. */
	private List<CoalescedAcks.Delivery> deliver(CoalescedAcks acks, int count) throws Exception {
		publish(count);
		consume();
		Channel observed = recording(this.consuming);
		List<CoalescedAcks.Delivery> deliveries = new ArrayList<>();
		for (int index = 0; index < count; index++) {
			Long tag = nextTag();
			assertThat(tag).as("delivery %d", index + 1).isEqualTo(index + 1L);
			deliveries.add(acks.register(observed, tag));
		}
		return deliveries;
	}

	/** Publishes m1 to m{@code count}. */
	private void publish(int count) throws Exception {
		publish(IntStream.rangeClosed(1, count).mapToObj(index -> "m" + index).toArray(String[]::new));
	}

	private void publish(String... bodies) throws Exception {
		try (Channel channel = this.connection.createChannel()) {
			channel.confirmSelect();
			for (String body : bodies) {
				channel.basicPublish("", this.queue, MessageProperties.PERSISTENT_BASIC,
						body.getBytes(StandardCharsets.UTF_8));
			}
			channel.waitForConfirmsOrDie(10_000);
		}
	}

	/** The tag of the next delivery to the consumer, waiting up to 10 s. */
	private Long nextTag() throws InterruptedException {
		return this.tags.poll(10, TimeUnit.SECONDS);
	}

	private void consume() throws Exception {
		this.consuming = this.connection.createChannel();
		consumeOn(this.consuming);
	}

	private void consumeOn(Channel channel) throws Exception {
		channel.basicQos(200);
		channel.basicConsume(this.queue, false, new DefaultConsumer(channel) {
			@Override
			public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
					byte[] body) {
				CoalescedAcksIT.this.bodies.add(new String(body, StandardCharsets.UTF_8));
				CoalescedAcksIT.this.tags.add(envelope.getDeliveryTag());
			}
		});
	}

	/**
	 * Closes the consuming channel (the broker returns what it holds unsettled to the
	 * queue), then publishes a marker and reads the queue up to it.
	 * @return the bodies of the messages that came back
	 */
	private List<String> redeliveredAfterClose() throws Exception {
		if (this.consuming.isOpen()) {
			this.consuming.close();
		}
		publish("end");
		List<String> back = new ArrayList<>();
		try (Channel channel = this.connection.createChannel()) {
			BlockingQueue<String> read = new LinkedBlockingQueue<>();
			channel.basicConsume(this.queue, true,
					(tag, delivery) -> read.add(new String(delivery.getBody(), StandardCharsets.UTF_8)), tag -> {
					});
			for (String body = read.poll(10, TimeUnit.SECONDS); !"end".equals(body); body = read.poll(10,
					TimeUnit.SECONDS)) {
				assertThat(body).as("the marker within 10 s").isNotNull();
				back.add(body);
			}
		}
		return back;
	}

	/** The channel, with every ack and nack it sends written down. */
	private Channel recording(Channel channel) {
		return (Channel) Proxy.newProxyInstance(Channel.class.getClassLoader(), new Class<?>[] { Channel.class },
				(proxy, method, args) -> {
					Object result;
					try {
						result = method.invoke(channel, args);
					}
					catch (InvocationTargetException ex) {
						throw ex.getCause();
					}
					// Written down once sent, so a test that sees it may close the
					// channel.
					if (method.getName().equals("basicAck")) {
						this.frames.add("ack " + args[0] + (((Boolean) args[1]) ? " multiple" : ""));
					}
					else if (method.getName().equals("basicNack")) {
						this.frames.add("nack " + args[0] + (((Boolean) args[2]) ? " requeue" : ""));
					}
					return result;
				});
	}

}
