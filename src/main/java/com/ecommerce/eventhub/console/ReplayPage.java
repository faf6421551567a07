package com.ecommerce.eventhub.console;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.ecommerce.eventhub.config.OpsProperties;
import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.ecommerce.eventhub.replay.ReplayRequest;
import com.ecommerce.eventhub.replay.ScopedReplay;
import com.ecommerce.eventhub.routes.RouteCatalog;
import com.ecommerce.eventhub.routes.RouteView;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.dao.DataAccessException;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;

/**
 * The scoped replay form: the same request as {@code POST /api/v1/replays}
 * ({@link ReplayRequest}, validated the same way), first counted (a dry run) and shown on
 * a confirmation page, then carried out by {@link ScopedReplay} with channel
 * {@code console} in the audit.
 */
@Controller
class ReplayPage {

	private static final List<String> TEXT_FIELDS = List.of("route", "aggregateId", "correlationId", "from", "to");

	private final ConsolePages pages;

	private final ScopedReplay replay;

	private final RouteCatalog routes;

	private final OpsProperties ops;

	ReplayPage(ConsolePages pages, ScopedReplay replay, RouteCatalog routes, OpsProperties ops) {
		this.pages = pages;
		this.replay = replay;
		this.routes = routes;
		this.ops = ops;
	}

	@GetMapping("/console/replay")
	ResponseEntity<String> form(HttpServletRequest request) {
		return form(ConsoleRequests.session(request), 200, FormBody.empty(), null);
	}

	@PostMapping("/console/replay")
	ResponseEntity<String> replay(HttpServletRequest request) {
		ConsoleSession session = ConsoleRequests.session(request);
		FormBody form = ConsoleRequests.form(request);
		ReplayRequest replayRequest;
		try {
			replayRequest = ReplayRequest.of(json(form));
		}
		catch (ReplayRequest.InvalidReplayException ex) {
			return form(session, 400, form, ex.getMessage());
		}
		try {
			if (!"yes".equals(form.get("confirmed"))) {
				return confirm(session, form, replayRequest);
			}
			ScopedReplay.Result result = this.replay.replay(session.keyName(), "console",
					replayRequest.withDryRun(false));
			Map<String, Object> model = new HashMap<>();
			model.put("message",
					result.replayed() + " events replayed to route " + result.route() + " ("
							+ String.join(", ", result.queues()) + ")"
							+ (result.bypassIdempotency() ? ", idempotency bypassed." : "."));
			if (!result.skipped().isEmpty()) {
				model.put("warning", result.skipped().size()
						+ " events were not sent: they no longer make a valid message (schema or size limit).");
			}
			model.put("back", "/console/replay");
			model.put("backLabel", "Another replay");
			return this.pages.page(200, "result", "Replay done", session, model);
		}
		catch (ScopedReplay.UnknownRouteException | ReplayRequest.InvalidReplayException
				| ScopedReplay.TooManyEventsException | ScopedReplay.ReplayBusyException ex) {
			return form(session, 400, form, ex.getMessage());
		}
		catch (ScopedReplay.ReplayFailedException ex) {
			return this.pages.error(503, session, ex.getMessage(), "/console/replay");
		}
		catch (DataAccessException ex) {
			return this.pages.error(503, session,
					"The outbox cannot be read or the audit trail written (database unavailable). Try again.",
					"/console/replay");
		}
	}

	private ResponseEntity<String> confirm(ConsoleSession session, FormBody form, ReplayRequest request) {
		long count = this.replay.count(request);
		if (count > this.replay.maxEvents()) {
			return form(session, 400, form, count + " events match; a replay takes at most " + this.replay.maxEvents()
					+ " (hub.ops.replay-max-events): narrow the window or the filter.");
		}
		List<String> details = new ArrayList<>();
		request.describe().forEach((name, value) -> details.add(name + " = " + value));
		details.add("Only route " + request.route() + "'s queue gets them, at most " + this.ops.replayRate()
				+ " per second.");
		if (request.bypassIdempotency()) {
			details.add("The route's idempotency and side-effect records of these events are deleted first: "
					+ "it handles them again (mails are sent again, webhooks called again).");
		}
		List<Map<String, String>> fields = new ArrayList<>();
		for (String name : TEXT_FIELDS) {
			if (form.get(name) != null) {
				fields.add(Map.of("name", name, "value", form.get(name)));
			}
		}
		if (form.get("eventTypes") != null) {
			fields.add(Map.of("name", "eventTypes", "value", form.get("eventTypes")));
		}
		if (request.bypassIdempotency()) {
			fields.add(Map.of("name", "bypassIdempotency", "value", "true"));
		}
		Map<String, Object> model = new HashMap<>();
		model.put("question",
				"Replay " + count + ((count == 1) ? " event" : " events") + " to route " + request.route() + "?");
		model.put("details", details);
		model.put("hasDetails", true);
		model.put("nothing", count == 0);
		model.put("action", "/console/replay");
		model.put("fields", fields);
		model.put("button", "Replay " + count);
		model.put("danger", request.bypassIdempotency());
		model.put("back", "/console/replay");
		return this.pages.page(200, "confirm", "Replay events", session, model);
	}

	private ResponseEntity<String> form(ConsoleSession session, int status, FormBody form, String error) {
		List<Map<String, Object>> consumers = new ArrayList<>();
		for (RouteView route : this.routes.routes()) {
			if (route.consumer()) {
				Map<String, Object> option = new HashMap<>();
				option.put("id", route.id());
				option.put("queue", route.queue());
				option.put("selected", route.id().equals(form.get("route")));
				consumers.add(option);
			}
		}
		Map<String, Object> values = new HashMap<>();
		for (String name : TEXT_FIELDS) {
			values.put(name, ConsoleRequests.cut(form.get(name), 1_000));
		}
		values.put("eventTypes", ConsoleRequests.cut(form.get("eventTypes"), 10_000));
		values.put("bypassIdempotency", form.checked("bypassIdempotency"));
		Map<String, Object> model = new HashMap<>();
		model.put("routes", consumers);
		model.put("form", values);
		model.put("error", error);
		model.put("rate", this.ops.replayRate());
		model.put("maxEvents", this.replay.maxEvents());
		return this.pages.page(status, "replay", "Scoped replay", session, model);
	}

	/** The form as the API's JSON body, so both are validated by the same code. */
	static ObjectNode json(FormBody form) {
		ObjectNode json = EnvelopeJson.mapper().createObjectNode();
		for (String name : TEXT_FIELDS) {
			if (form.get(name) != null) {
				json.put(name, form.get(name));
			}
		}
		String types = form.get("eventTypes");
		if (types != null) {
			ArrayNode array = json.putArray("eventTypes");
			for (String type : types.split("[,\\s]+")) {
				if (!type.isEmpty()) {
					if (array.size() >= 1_000) {
						throw new ReplayRequest.InvalidReplayException("Too many event types.");
					}
					array.add(type);
				}
			}
		}
		json.put("bypassIdempotency", form.checked("bypassIdempotency"));
		return json;
	}

}
