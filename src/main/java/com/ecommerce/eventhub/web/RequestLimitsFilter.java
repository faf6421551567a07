package com.ecommerce.eventhub.web;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Semaphore;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Bounds every request body before anything reads it, on every path and method,
 * authenticated or not. Only the endpoints that declared a {@link RequestBodyAllowance}
 * take a body, and only JSON (or, for the console's pages, a form) up to their limit;
 * every other request with a body is refused outright (413). A declared Content-Length
 * over the limit is refused without reading a byte; a body without one (chunked) is read
 * up to the limit and refused at the first byte beyond it, and a body that trickles in
 * slower than {@link #READ_DEADLINE} is refused with 408. A {@code Content-Encoding}
 * other than {@code identity} is refused with 415: a compressed body would be inflated
 * past any limit.
 *
 * <p>
 * It runs after authentication ({@link ApiKeyAuthenticationFilter}), so an anonymous
 * caller is refused before a byte of its body is read; at most
 * {@link #MAX_CONCURRENT_READS} bodies are read at once. The one body anonymous callers
 * post (the console's sign-in form) is read under a budget of its own,
 * {@link #MAX_ANONYMOUS_READS} at once within {@link #ANONYMOUS_READ_DEADLINE}: slow
 * sign-in posts once took every read and ingestion answered 503. A refusal closes the
 * connection ({@link #refuse}). Spring's form-content filter is switched off
 * ({@code spring.mvc.formcontent.filter.enabled}) and Tomcat parses no form body
 * ({@code server.tomcat.max-http-form-post-size: 0}).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class RequestLimitsFilter extends OncePerRequestFilter {

	/** How long reading one request body may take in all. */
	static final Duration READ_DEADLINE = Duration.ofSeconds(30);

	/**
	 * Bodies read at once: callers trickling bodies in cannot take every server thread,
	 * health probes and the other requests keep theirs.
	 */
	static final int MAX_CONCURRENT_READS = 32;

	/** Anonymous bodies read at once. */
	static final int MAX_ANONYMOUS_READS = 4;

	/** How long reading an anonymous body (a small form) may take in all. */
	static final Duration ANONYMOUS_READ_DEADLINE = Duration.ofSeconds(5);

	private final Semaphore reads = new Semaphore(MAX_CONCURRENT_READS);

	private final Semaphore anonymousReads = new Semaphore(MAX_ANONYMOUS_READS);

	private final List<RequestBodyAllowance> allowances;

	public RequestLimitsFilter(ObjectProvider<RequestBodyAllowance> allowances) {
		// Exact paths before prefixes: the sign-in form before the console's other forms.
		this.allowances = allowances.orderedStream()
			.sorted(Comparator.comparing(RequestBodyAllowance::prefix))
			.toList();
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		for (String encoding : Collections.list(request.getHeaders("Content-Encoding"))) {
			for (String coding : encoding.split(",")) {
				if (!coding.isBlank() && !"identity".equalsIgnoreCase(coding.trim())) {
					refuse(request, response, 415, "Unsupported Media Type",
							"Content-Encoding is not supported; send the body uncompressed.");
					return;
				}
			}
		}
		if (!hasBody(request)) {
			chain.doFilter(request, response);
			return;
		}
		long declared = request.getContentLengthLong();
		String path = ApiKeyAuthenticationFilter.routedPath(request);
		Optional<RequestBodyAllowance> allowance = this.allowances.stream()
			.filter(candidate -> candidate.covers(request.getMethod(), path))
			.findFirst();
		if (allowance.isEmpty()) {
			refuse(request, response, 413, "Payload Too Large", "This endpoint takes no request body.");
			return;
		}
		if (!allowance.get().accepts(request.getContentType())) {
			refuse(request, response, 415, "Unsupported Media Type",
					"Send the body as " + allowance.get().expected() + ".");
			return;
		}
		long limit = allowance.get().maxBytes();
		if (declared > limit) {
			tooLarge(request, response, limit);
			return;
		}
		boolean anonymous = allowance.get().anonymous();
		Semaphore budget = anonymous ? this.anonymousReads : this.reads;
		Duration deadline = anonymous ? ANONYMOUS_READ_DEADLINE : READ_DEADLINE;
		if (!budget.tryAcquire()) {
			response.setHeader("Retry-After", "1");
			refuse(request, response, 503, "Service Unavailable", "Too many request bodies are being read; try again.");
			return;
		}
		byte[] body;
		try {
			body = readAtMost(request.getInputStream(), limit, System.nanoTime() + deadline.toNanos());
		}
		catch (ReadDeadlineException ex) {
			refuse(request, response, 408, "Request Timeout",
					"The request body did not arrive within " + deadline.toSeconds() + " s.");
			return;
		}
		finally {
			budget.release();
		}
		if (body == null) {
			tooLarge(request, response, limit);
			return;
		}
		if (!allowance.get().form() && !isUtf8(body)) {
			refuse(request, response, 400, "Bad Request", "The body is not valid UTF-8, the encoding of JSON.");
			return;
		}
		chain.doFilter(new BufferedBodyRequest(request, body), response);
	}

	/**
	 * Whether the request announces a body.
	 * @param request the request
	 * @return true for a Content-Length over 0 or a chunked body
	 */
	public static boolean hasBody(HttpServletRequest request) {
		long declared = request.getContentLengthLong();
		return declared > 0 || (declared < 0 && request.getHeader("Transfer-Encoding") != null);
	}

	/**
	 * Answers a problem and closes the connection afterwards. The unread rest of the body
	 * is not waited for ({@link RefusedBodyValve}), except when a keyed caller's body is
	 * too large or of the wrong type: Tomcat then reads and discards what the client is
	 * still sending (up to {@code server.tomcat.max-swallow-size}) so that its client
	 * reads the answer instead of a reset connection. An anonymous caller, a body refused
	 * for load (503) or for trickling in (408) holds no thread for a body that may never
	 * come.
	 * @param request the request
	 * @param response the response
	 * @param status the status
	 * @param title the problem's title
	 * @param detail what went wrong
	 * @throws IOException when the client is gone
	 */
	public static void refuse(HttpServletRequest request, HttpServletResponse response, int status, String title,
			String detail) throws IOException {
		response.setHeader("Connection", "close");
		boolean keyed = request.getAttribute(ApiKeyAuthenticationFilter.CALLER) != null;
		if (!(keyed && (status == 413 || status == 415))) {
			request.setAttribute(RefusedBodyValve.UNREAD, Boolean.TRUE);
		}
		Problem.write(response, status, title, detail);
	}

	private static void tooLarge(HttpServletRequest request, HttpServletResponse response, long limit)
			throws IOException {
		refuse(request, response, 413, "Payload Too Large",
				"The request body exceeds the limit of " + limit + " bytes.");
	}

	/**
	 * @param contentType a Content-Type header
	 * @return whether it names JSON ({@code application/json} or
	 * {@code application/*+json})
	 */
	static boolean isJson(String contentType) {
		if (contentType == null) {
			return false;
		}
		String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
		return mediaType.equals("application/json")
				|| (mediaType.startsWith("application/") && mediaType.endsWith("+json"));
	}

	/**
	 * Whether the bytes are well-formed UTF-8. Camel decodes a request body into text
	 * before the endpoint reads it, replacing a malformed sequence with U+FFFD: a JSON
	 * body with one was accepted and stored with a character its sender never wrote.
	 */
	static boolean isUtf8(byte[] body) {
		try {
			StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(body));
			return true;
		}
		catch (CharacterCodingException ex) {
			return false;
		}
	}

	/** The body, or null as soon as it is longer than the limit. */
	private static byte[] readAtMost(InputStream in, long limit, long deadline) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		byte[] buffer = new byte[8192];
		int read;
		while ((read = in.read(buffer)) >= 0) {
			if (out.size() + read > limit) {
				return null;
			}
			out.write(buffer, 0, read);
			if (System.nanoTime() - deadline > 0) {
				throw new ReadDeadlineException();
			}
		}
		return out.toByteArray();
	}

	/** The body trickled in too slowly. */
	private static final class ReadDeadlineException extends IOException {

		ReadDeadlineException() {
			super("request body read deadline passed");
		}

	}

	/** A request whose (bounded) body was read already. */
	private static final class BufferedBodyRequest extends HttpServletRequestWrapper {

		private final byte[] body;

		BufferedBodyRequest(HttpServletRequest request, byte[] body) {
			super(request);
			this.body = body;
		}

		@Override
		public int getContentLength() {
			return this.body.length;
		}

		@Override
		public long getContentLengthLong() {
			return this.body.length;
		}

		@Override
		public BufferedReader getReader() {
			Charset charset = StandardCharsets.UTF_8;
			try {
				if (getCharacterEncoding() != null) {
					charset = Charset.forName(getCharacterEncoding());
				}
			}
			catch (IllegalArgumentException ex) {
				// an unknown charset name from the caller: read as UTF-8, JSON's encoding
			}
			return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(this.body), charset));
		}

		@Override
		public ServletInputStream getInputStream() {
			ByteArrayInputStream in = new ByteArrayInputStream(this.body);
			return new ServletInputStream() {
				@Override
				public int read() {
					return in.read();
				}

				@Override
				public int read(byte[] b, int off, int len) {
					return in.read(b, off, len);
				}

				@Override
				public boolean isFinished() {
					return in.available() == 0;
				}

				@Override
				public boolean isReady() {
					return true;
				}

				@Override
				public void setReadListener(ReadListener listener) {
					throw new UnsupportedOperationException("synchronous reads only");
				}
			};
		}

	}

}
