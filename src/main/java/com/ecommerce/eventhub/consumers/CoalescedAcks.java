package com.ecommerce.eventhub.consumers;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.impl.recovery.AutorecoveringChannel;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.rabbit.connection.ChannelProxy;
import org.springframework.stereotype.Component;

/**
 * Acknowledges a channel's handled deliveries together: one {@code basic.ack} with
 * {@code multiple=true} for many. A quorum queue writes every ack to its Raft log; acked
 * one by one at a consumer's pace (about 1,000 a second per channel) that cost RabbitMQ
 * about 200 µs of CPU per message, as much as PostgreSQL spent on the handling, while an
 * ack per ten messages cost under 50 µs (measured on the 2-core benchmark machine).
 *
 * <p>
 * A multiple ack settles every unsettled delivery up to its tag, so it may cover only
 * deliveries that are done. Tags are registered as a channel delivers them (the first
 * step of every consumer route, on the channel's dispatch thread, so in tag order). One
 * ack with {@code multiple=true} covers the done deliveries below the oldest one still in
 * flight (being handled, waiting for a redelivery, or for its requeue); done deliveries
 * above it are acked one by one. From a gap in a channel's tags on (a delivery that never
 * reached the route), its deliveries are acked one by one.
 *
 * <p>
 * When acks are sent: at once when at least as many of the channel's deliveries are done
 * as are in flight (a prefetch of one, a quiet queue), otherwise at most
 * {@link #ACK_DELAY} later. A crash in between redelivers those messages; the consumers'
 * idempotency absorbs them, as for any crash before an ack. So does a route that stops:
 * Camel suspends its consumer first, which closes the channel, so the messages still in
 * flight then, and the done ones not acked yet, go back to the queue.
 *
 * <p>
 * Acks and requeues are sent under the channel's lock, from the thread that completes the
 * exchange or from the one scheduler thread: a socket write that blocks holds up that
 * channel and the scheduled flushes of the others (the hub publishes on connections of
 * its own, so a broker's publishing flow control does not block this one).
 */
@Component
class CoalescedAcks {

	private static final Logger log = LoggerFactory.getLogger(CoalescedAcks.class);

	/** The longest a done delivery waits for its ack. */
	static final Duration ACK_DELAY = Duration.ofMillis(10);

	private final Map<Channel, ChannelAcks> channels = new ConcurrentHashMap<>();

	private final ScheduledExecutorService scheduler;

	private final Duration ackDelay;

	CoalescedAcks() {
		this(ACK_DELAY);
	}

	/**
	 * @param ackDelay the longest a done delivery waits for its ack
	 */
	CoalescedAcks(Duration ackDelay) {
		this.ackDelay = ackDelay;
		this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
			Thread thread = new Thread(runnable, "hub-consumer-acks");
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * Registers a delivery as it enters its route.
	 * @param channel the channel it came on
	 * @param deliveryTag its tag
	 * @return the delivery, to be acked or requeued once
	 */
	Delivery register(Channel channel, long deliveryTag) {
		Channel physical = physical(channel);
		ChannelAcks acks = this.channels.get(physical);
		if (acks == null) {
			ChannelAcks created = new ChannelAcks(physical);
			acks = this.channels.putIfAbsent(physical, created);
			if (acks == null) {
				acks = created;
				// A closed channel's tags mean nothing any more: the broker has
				// requeued what it had not acked. (A channel closed already calls
				// the listener at once.)
				physical.addShutdownListener(cause -> this.channels.remove(physical, created));
			}
		}
		acks.delivered(deliveryTag);
		return new Delivery(acks, deliveryTag);
	}

	/**
	 * The channel the tags belong to: a new one starts its tags at 1 again. Spring's
	 * proxy may be given another target, and a recovering client channel another
	 * delegate, under the same object.
	 */
	private static Channel physical(Channel channel) {
		Channel target = (channel instanceof ChannelProxy proxy) ? proxy.getTargetChannel() : channel;
		return (target instanceof AutorecoveringChannel recovering) ? recovering.getDelegate() : target;
	}

	/**
	 * @param delay how long from now
	 * @param task what to run then on the scheduler's thread
	 */
	void schedule(Duration delay, Runnable task) {
		try {
			this.scheduler.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (RejectedExecutionException ex) {
			// Stopping: the broker requeues what is not settled when the channel
			// closes.
		}
	}

	@PreDestroy
	void stop() {
		// Nothing to flush: the routes stopped before, and their channels closed.
		this.scheduler.shutdownNow();
	}

	/** Channels being tracked (for tests). */
	int trackedChannels() {
		return this.channels.size();
	}

	/** A registered delivery. */
	final class Delivery {

		private final ChannelAcks acks;

		private final long tag;

		private Delivery(ChannelAcks acks, long tag) {
			this.acks = acks;
			this.tag = tag;
		}

		/** Its exchange is done: ack it, alone or with others. */
		void ack() {
			this.acks.done(this.tag);
		}

		/** Rejects it with requeue at once, so the broker delivers it again. */
		void requeue() {
			this.acks.requeue(this.tag);
		}

	}

	/** One channel's deliveries between delivery and ack. */
	private final class ChannelAcks {

		private final Channel channel;

		/** Registered, not done yet. */
		private final NavigableSet<Long> inFlight = new TreeSet<>();

		/** Done, not acked yet. Every other registered tag is settled. */
		private final NavigableSet<Long> done = new TreeSet<>();

		private long lastRegistered;

		private boolean contiguous = true;

		private boolean flushScheduled;

		private ChannelAcks(Channel channel) {
			this.channel = channel;
		}

		synchronized void delivered(long tag) {
			if (tag != this.lastRegistered + 1 && this.contiguous) {
				// Tag lastRegistered + 1 was delivered but never registered: no
				// multiple ack may cover it.
				this.contiguous = false;
				log.debug("Delivery tags on channel {} jumped from {} to {}; acking its deliveries one by one",
						this.channel.getChannelNumber(), this.lastRegistered, tag);
			}
			this.lastRegistered = Math.max(this.lastRegistered, tag);
			this.inFlight.add(tag);
		}

		synchronized void done(long tag) {
			if (!this.inFlight.remove(tag)) {
				return;
			}
			this.done.add(tag);
			if (this.done.size() >= this.inFlight.size()) {
				flush();
			}
			else if (!this.flushScheduled) {
				this.flushScheduled = true;
				schedule(CoalescedAcks.this.ackDelay, this::flush);
			}
		}

		synchronized void requeue(long tag) {
			if (!this.inFlight.remove(tag)) {
				return;
			}
			try {
				this.channel.basicNack(tag, false, true);
			}
			catch (IOException | RuntimeException ex) {
				log.warn("Could not reject delivery {}: {}", tag, ex.getMessage());
			}
		}

		synchronized void flush() {
			this.flushScheduled = false;
			if (this.done.isEmpty()) {
				return;
			}
			try {
				if (this.contiguous) {
					// Every tag up to the oldest in flight is done or settled.
					long bound = this.inFlight.isEmpty() ? this.lastRegistered : this.inFlight.first() - 1;
					NavigableSet<Long> covered = this.done.headSet(bound, true);
					if (!covered.isEmpty()) {
						this.channel.basicAck(covered.last(), true);
						covered.clear();
					}
				}
				for (long tag : this.done) {
					this.channel.basicAck(tag, false);
				}
			}
			catch (IOException | RuntimeException ex) {
				// The channel is gone: the broker redelivers, and idempotency absorbs
				// the repeat.
				log.warn("Could not acknowledge {} deliveries on channel {}: {}", this.done.size(),
						this.channel.getChannelNumber(), ex.getMessage());
			}
			finally {
				this.done.clear();
			}
		}

	}

}
