package com.ecommerce.eventhub.console;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

import com.ecommerce.eventhub.routes.ReloadResult;
import com.ecommerce.eventhub.routes.RouteCatalog;
import com.ecommerce.eventhub.routes.RouteControl;
import com.ecommerce.eventhub.routes.RouteView;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.dao.DataAccessException;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;

/**
 * The routes page: every route with its source (Java or the file that defines it), state,
 * queue and redelivery policy, counters, and stop or start after a confirmation; and
 * every route file's last reload, with the line of a rejected file's problem. Stopping
 * and starting is {@link RouteControl}'s, audited with channel {@code console}.
 */
@Controller
class RoutePages {

	private final ConsolePages pages;

	private final RouteCatalog catalog;

	private final RouteControl control;

	RoutePages(ConsolePages pages, RouteCatalog catalog, RouteControl control) {
		this.pages = pages;
		this.catalog = catalog;
		this.control = control;
	}

	@GetMapping("/console/routes")
	ResponseEntity<String> list(HttpServletRequest request) {
		List<Map<String, Object>> routes = new ArrayList<>();
		// The consumer routes first: they are what operators stop, start and watch.
		List<RouteView> ordered = this.catalog.routes()
			.stream()
			.sorted(Comparator.comparing((RouteView route) -> !route.consumer()).thenComparing(RouteView::id))
			.toList();
		for (RouteView route : ordered) {
			Map<String, Object> row = new HashMap<>();
			row.put("id", route.id());
			row.put("source", route.source());
			row.put("state", route.state());
			row.put("stopped", !"Started".equals(route.state()));
			row.put("from", ConsoleRequests.cut(route.from(), 120));
			row.put("queue", route.queue());
			row.put("bindings", route.bindings());
			row.put("ordered", route.ordered());
			row.put("partitions", route.partitions());
			row.put("redelivery", redelivery(route.redelivery()));
			row.put("handled", route.consumer() ? OverviewController.number(route.handled()) : "");
			row.put("failed", route.consumer() ? OverviewController.number(route.failed()) : "");
			row.put("protected", RouteControl.isProtected(route.id()));
			routes.add(row);
		}
		List<Map<String, Object>> files = new ArrayList<>();
		for (ReloadResult reload : this.catalog.reloads()) {
			Map<String, Object> row = new HashMap<>();
			row.put("file", reload.file());
			row.put("status", reload.status());
			row.put("rejected", "REJECTED".equals(reload.status()));
			row.put("at", ConsoleRequests.time(reload.at()));
			row.put("routeIds", String.join(", ", reload.routeIds()));
			row.put("line", reload.line());
			row.put("reason", ConsoleRequests.cut(reload.reason(), 2_000));
			files.add(row);
		}
		Map<String, Object> model = new HashMap<>();
		model.put("routes", routes);
		model.put("files", files);
		model.put("folder", this.catalog.folder());
		return this.pages.page(200, "routes", "Routes", ConsoleRequests.session(request), model);
	}

	/** Stop or start ({@code op}); asks first, acts once {@code confirmed}. */
	@PostMapping("/console/routes/action")
	ResponseEntity<String> act(HttpServletRequest request) {
		ConsoleSession session = ConsoleRequests.session(request);
		FormBody form = ConsoleRequests.form(request);
		String op = form.get("op");
		String routeId = form.get("routeId");
		if (!"stop".equals(op) && !"start".equals(op)) {
			return this.pages.error(400, session, "Say stop or start.", "/console/routes");
		}
		if (routeId == null || this.catalog.route(routeId).isEmpty()) {
			return this.pages.error(404, session, "No such route.", "/console/routes");
		}
		boolean start = "start".equals(op);
		if (!"yes".equals(form.get("confirmed"))) {
			RouteView route = this.catalog.route(routeId).get();
			Map<String, Object> model = new HashMap<>();
			model.put("question", (start ? "Start" : "Stop") + " route " + routeId + "?");
			model.put("details",
					List.of("It is " + route.state().toLowerCase(Locale.ROOT) + " now.",
							start ? "It takes messages again on this instance."
									: "On this instance it takes no more messages until it is started again "
											+ "(or the hub restarts); other instances go on."));
			model.put("hasDetails", true);
			model.put("action", "/console/routes/action");
			model.put("fields",
					List.of(Map.of("name", "op", "value", op), Map.of("name", "routeId", "value", routeId)));
			model.put("button", start ? "Start 1 route" : "Stop 1 route");
			model.put("danger", !start);
			model.put("back", "/console/routes");
			return this.pages.page(200, "confirm", (start ? "Start" : "Stop") + " a route", session, model);
		}
		String state;
		try {
			state = this.control.control(session.keyName(), "console", routeId, start);
		}
		catch (RouteControl.ProtectedRouteException ex) {
			return this.pages.error(409, session, ex.getMessage(), "/console/routes");
		}
		catch (DataAccessException ex) {
			return this.pages.error(503, session,
					"The audit trail cannot be written (database unavailable): nothing was done. Try again.",
					"/console/routes");
		}
		catch (Exception ex) {
			return this.pages.error(500, session,
					"Camel could not " + op + " the route: " + ConsoleRequests.cut(ex.getMessage(), 300),
					"/console/routes");
		}
		Map<String, Object> model = new HashMap<>();
		model.put("message", "Route " + routeId + " is " + state + ".");
		model.put("back", "/console/routes");
		model.put("backLabel", "Routes");
		return this.pages.page(200, "result", "Route " + (start ? "started" : "stopped"), session, model);
	}

	private static String redelivery(Map<String, Object> policy) {
		if (policy == null) {
			return "";
		}
		StringJoiner text = new StringJoiner(", ");
		policy.forEach((name, value) -> {
			if (value != null) {
				text.add(name + " " + value);
			}
		});
		return text.toString();
	}

}
