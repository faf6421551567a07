package com.ecommerce.eventhub.replay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import com.ecommerce.eventhub.audit.OperatorAction;
import com.ecommerce.eventhub.audit.OperatorAudit;
import com.ecommerce.eventhub.config.OpsProperties;
import com.ecommerce.eventhub.consumers.ConsumerRecords;
import com.ecommerce.eventhub.outbox.PublishedEvents;
import com.ecommerce.eventhub.outbox.PublishedEvents.Republication;
import com.ecommerce.eventhub.outbox.ReplayScope;
import com.ecommerce.eventhub.topology.ConfirmingPublisher;
import com.ecommerce.eventhub.topology.ConfirmingPublisher.Outgoing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Re-publishes published events that are still in the outbox to one consumer route's
 * queue, for a consumer that lost its state or must see events again.
 *
 * <p>
 * Each event goes out as the relay sent it (same envelope, properties and headers,
 * {@link PublishedEvents}), but through the default exchange straight to the route's
 * queue, or to its partition queue for an ordered route, so no other route gets it. Pages
 * are published in outbox id order on one confirm-mode lane, each page confirmed before
 * the next (mandatory: a missing queue fails the replay), at most
 * {@code hub.ops.replay-rate} events per second and {@code hub.ops.replay-max-events} per
 * replay, one replay at a time per hub instance. Consumers deduplicate on eventId, so
 * without {@code bypassIdempotency} a replay to a route that handled the events is a
 * no-op; with it, the route's idempotency records of each page's events are deleted just
 * before the page is published ({@link ConsumerRecords#forget}), and the route handles
 * them again.
 */
@Component
public class ScopedReplay {

	private static final Logger log = LoggerFactory.getLogger(ScopedReplay.class);

	private static final String LANE = "scoped-replay";

	private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(10);

	private static final int MAX_PAGE = 50;

	private final ReplayTargets targets;

	private final PublishedEvents events;

	private final ConfirmingPublisher publisher;

	private final ConsumerRecords records;

	private final OperatorAudit audit;

	private final int maxEvents;

	private final int rate;

	private final Semaphore running = new Semaphore(1);

	ScopedReplay(ReplayTargets targets, PublishedEvents events, ConfirmingPublisher publisher, ConsumerRecords records,
			OperatorAudit audit, OpsProperties ops) {
		this.targets = targets;
		this.events = events;
		this.publisher = publisher;
		this.records = records;
		this.audit = audit;
		this.maxEvents = ops.replayMaxEvents();
		this.rate = ops.replayRate();
	}

	/** The most events one replay takes ({@code hub.ops.replay-max-events}). */
	public int maxEvents() {
		return this.maxEvents;
	}

	/**
	 * Counts the events a request selects, sending nothing.
	 * @param request the request
	 * @return how many match now
	 * @throws ReplayRequest.InvalidReplayException when the route is no consumer route
	 * @throws UnknownRouteException when there is no such route
	 */
	public long count(ReplayRequest request) {
		ReplayTarget target = this.targets.resolve(request.route());
		return this.events.count(scope(request, target)).matched();
	}

	/**
	 * Carries out a request: a dry run counts, anything else re-publishes, recorded in
	 * the audit trail.
	 * @param actor the operator (the API key's name)
	 * @param channel {@code api} or {@code console}
	 * @param request the request
	 * @return what was done
	 * @throws ReplayRequest.InvalidReplayException when the route is no consumer route
	 * @throws UnknownRouteException when there is no such route
	 * @throws TooManyEventsException when more than {@code hub.ops.replay-max-events}
	 * match
	 * @throws ReplayBusyException while another replay runs on this instance
	 * @throws ReplayFailedException when the broker did not take an event (what was sent
	 * before stays sent)
	 */
	public Result replay(String actor, String channel, ReplayRequest request) {
		ReplayTarget target = this.targets.resolve(request.route());
		ReplayScope scope = scope(request, target);
		PublishedEvents.Match match = this.events.count(scope);
		if (request.dryRun()) {
			return Result.dryRun(match.matched());
		}
		if (match.matched() > this.maxEvents) {
			throw new TooManyEventsException(match.matched(), this.maxEvents);
		}
		if (!this.running.tryAcquire()) {
			throw new ReplayBusyException();
		}
		try {
			long action = this.audit.begin(actor, channel, "replay", target.routeId(), request.describe());
			Progress progress = new Progress();
			try {
				publish(request, target, scope, match, progress);
			}
			catch (RuntimeException ex) {
				this.audit.finish(action, progress.sent, "failed: " + ex.getMessage());
				throw ex;
			}
			this.audit.finish(action, progress.sent, OperatorAction.OK);
			log.info("Replay by {} sent {} of {} matched events to route {} ({} skipped, idempotency {})", actor,
					progress.sent, match.matched(), target.routeId(), progress.skipped.size(),
					request.bypassIdempotency() ? "bypassed" : "kept");
			return new Result(match.matched(), progress.sent, progress.skipped, target.routeId(), target.queues(),
					request.bypassIdempotency(), false);
		}
		finally {
			this.running.release();
		}
	}

	private void publish(ReplayRequest request, ReplayTarget target, ReplayScope scope, PublishedEvents.Match match,
			Progress progress) {
		int page = Math.min(MAX_PAGE, this.rate);
		long started = System.nanoTime();
		long after = 0;
		while (progress.sent < this.maxEvents) {
			PublishedEvents.Page next = this.events.page(scope, after, match.lastId(),
					Math.min(page, this.maxEvents - progress.sent));
			if (next.isEmpty()) {
				return;
			}
			after = next.lastId();
			progress.skipped.addAll(next.skipped());
			if (next.events().isEmpty()) {
				continue;
			}
			if (request.bypassIdempotency()) {
				this.records.forget(target.routeId(), next.events().stream().map(Republication::eventId).toList());
			}
			List<Outgoing> batch = new ArrayList<>();
			for (Republication event : next.events()) {
				batch.add(new Outgoing("", target.queueFor(event.partition()), event.message().properties(),
						event.message().body()));
			}
			List<ConfirmingPublisher.Outcome> outcomes = this.publisher.publish(LANE, batch, CONFIRM_TIMEOUT);
			next.events().forEach(event -> event.span().end());
			for (int i = 0; i < outcomes.size(); i++) {
				Republication event = next.events().get(i);
				ConfirmingPublisher.Outcome outcome = outcomes.get(i);
				if (!outcome.confirmed()) {
					throw new ReplayFailedException(progress.sent, event.eventId(), outcome.returned()
							? "queue " + batch.get(i).routingKey() + " does not exist" : outcome.error());
				}
				progress.sent++;
			}
			pace(started, progress.sent);
		}
	}

	/**
	 * Waits until {@code sent} events are no more than the rate allows since the start.
	 */
	private void pace(long started, int sent) {
		long due = started + TimeUnit.SECONDS.toNanos(1) * sent / this.rate;
		long wait = due - System.nanoTime();
		if (wait > 0) {
			try {
				TimeUnit.NANOSECONDS.sleep(wait);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new ReplayFailedException(sent, null, "interrupted (the hub is shutting down)");
			}
		}
	}

	private static ReplayScope scope(ReplayRequest request, ReplayTarget target) {
		return new ReplayScope(target.bindings(), request.eventTypes(), request.aggregateId(), request.correlationId(),
				request.from(), request.to());
	}

	/** How far a replay got. */
	private static final class Progress {

		private int sent;

		private final List<UUID> skipped = new ArrayList<>();

	}

	/**
	 * What a replay did.
	 *
	 * @param matched the events the request selected
	 * @param replayed the events published and confirmed
	 * @param skipped events that no longer make a valid message (not sent)
	 * @param route the consumer route
	 * @param queues the queues it publishes to
	 * @param bypassIdempotency whether the route's idempotency records were deleted
	 * @param dryRun whether nothing was sent
	 */
	public record Result(long matched, int replayed, List<UUID> skipped, String route, List<String> queues,
			boolean bypassIdempotency, boolean dryRun) {

		static Result dryRun(long matched) {
			return new Result(matched, 0, List.of(), null, List.of(), false, true);
		}

	}

	/** No route has the requested id (404). */
	public static class UnknownRouteException extends RuntimeException {

		UnknownRouteException(String routeId) {
			super("No route " + ((routeId.length() <= 200) ? routeId : routeId.substring(0, 200) + "...")
					+ ": GET /api/v1/routes lists the consumer routes.");
		}

	}

	/** More events match than one replay may take (422). */
	public static class TooManyEventsException extends RuntimeException {

		private final long matched;

		TooManyEventsException(long matched, int max) {
			super(matched + " events match; a replay takes at most " + max
					+ " (hub.ops.replay-max-events): narrow it with from/to, eventTypes, aggregateId or "
					+ "correlationId, and replay in parts.");
			this.matched = matched;
		}

		/**
		 * @return how many events matched
		 */
		public long matched() {
			return this.matched;
		}

	}

	/** Another replay runs on this instance (409). */
	public static class ReplayBusyException extends RuntimeException {

		ReplayBusyException() {
			super("Another replay is running on this hub instance; try again when it is done.");
		}

	}

	/** The broker did not take an event; the replay stopped there (503). */
	public static class ReplayFailedException extends RuntimeException {

		private final int sent;

		ReplayFailedException(int sent, UUID eventId, String reason) {
			super("The replay stopped after " + sent + " events" + ((eventId != null) ? " at event " + eventId : "")
					+ ": " + reason);
			this.sent = sent;
		}

		/**
		 * @return how many events were sent before it stopped
		 */
		public int sent() {
			return this.sent;
		}

	}

}
