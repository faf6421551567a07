package com.ecommerce.eventhub.web;

import java.io.IOException;

import jakarta.servlet.ServletException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;

/**
 * Keeps Tomcat from waiting for the body of a request the hub refused. After a response,
 * Tomcat reads and discards the unread rest of the body (up to
 * {@code server.tomcat.max-swallow-size}) so that a client still sending can read the
 * answer; a client that declared a large Content-Length and sends nothing held the server
 * thread until the connection timeout (20 s), and a few hundred such anonymous
 * connections took every thread. A request {@link RequestLimitsFilter#refuse} marked
 * {@link #UNREAD} closes its connection right after the answer instead: the same as
 * Tomcat does for an upload it aborted itself.
 */
class RefusedBodyValve extends ValveBase {

	/** Request attribute: the hub refused the request and will not read its body. */
	static final String UNREAD = RefusedBodyValve.class.getName() + ".unread";

	RefusedBodyValve() {
		super(true);
	}

	@Override
	public void invoke(Request request, Response response) throws IOException, ServletException {
		getNext().invoke(request, response);
		if (!request.isAsync() && Boolean.TRUE.equals(request.getAttribute(UNREAD))) {
			// Sent first: Tomcat treats a request whose body it may not read as failed,
			// and would otherwise answer with the error page instead of the hub's
			// problem.
			response.flushBuffer();
			request.getCoyoteRequest().action(ActionCode.DISABLE_SWALLOW_INPUT, null);
		}
	}

}
