package com.ecommerce.eventhub.routes;

import java.util.Map;

import com.ecommerce.eventhub.audit.OperatorAction;
import com.ecommerce.eventhub.audit.OperatorAudit;
import org.apache.camel.CamelContext;

import org.springframework.stereotype.Component;

/**
 * Stops and starts routes for operators, from the HTTP API or the console, each in the
 * audit trail. The routes that serve the operations themselves cannot be stopped: that
 * would leave no way to start anything again.
 */
@Component
public class RouteControl {

	/** The ids of the route operations' own routes. */
	static final String OWN_ROUTES = "ops-routes-";

	private final CamelContext camel;

	private final OperatorAudit audit;

	RouteControl(CamelContext camel, OperatorAudit audit) {
		this.camel = camel;
		this.audit = audit;
	}

	/**
	 * Stops or starts a route.
	 * @param actor the operator (the API key's name)
	 * @param channel {@code api} or {@code console}
	 * @param routeId the route
	 * @param start true to start, false to stop
	 * @return the route's state afterwards
	 * @throws NoSuchRouteException when there is no such route
	 * @throws ProtectedRouteException for a route the operations need
	 * @throws Exception when Camel fails to stop or start it
	 */
	public String control(String actor, String channel, String routeId, boolean start) throws Exception {
		if (routeId == null || this.camel.getRoute(routeId) == null) {
			throw new NoSuchRouteException();
		}
		if (isProtected(routeId)) {
			throw new ProtectedRouteException(routeId);
		}
		long action = this.audit.begin(actor, channel, start ? "route.start" : "route.stop", routeId,
				Map.of("routeId", routeId));
		try {
			if (start) {
				this.camel.getRouteController().startRoute(routeId);
			}
			else {
				this.camel.getRouteController().stopRoute(routeId);
			}
			this.audit.finish(action, 1, OperatorAction.OK);
		}
		catch (Exception ex) {
			this.audit.finish(action, 0, "failed: " + ex.getMessage());
			throw ex;
		}
		return this.camel.getRouteController().getRouteStatus(routeId).name();
	}

	/**
	 * @param routeId a route id
	 * @return whether operators may not stop it
	 */
	public static boolean isProtected(String routeId) {
		return routeId.startsWith(OWN_ROUTES);
	}

	/** There is no route of that id. */
	public static final class NoSuchRouteException extends RuntimeException {

		NoSuchRouteException() {
			super("No such route.");
		}

	}

	/** The route serves the route operations and cannot be stopped. */
	public static final class ProtectedRouteException extends RuntimeException {

		ProtectedRouteException(String routeId) {
			super("Route " + routeId + " serves this API and cannot be stopped.");
		}

	}

}
