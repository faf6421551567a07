package com.ecommerce.eventhub.ingestion;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

import com.ecommerce.eventhub.config.IngestionProperties;
import com.ecommerce.eventhub.web.ApiKeyAuthenticationFilter;
import com.ecommerce.eventhub.web.Problem;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The transport limits of {@code POST /api/v1/events}, enforced before anything reads the body:
 * 415 for a body that is not JSON, 413 for a body over {@code hub.ingestion.max-body-size}. A
 * declared Content-Length over the limit is refused without reading a byte; a body without one
 * (chunked) is read up to the limit and refused at the first byte beyond it. Spring Boot's own
 * request-size setting covers form posts only.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
class IngestionLimitsFilter extends OncePerRequestFilter {

	private final long maxBodySize;

	IngestionLimitsFilter(IngestionProperties ingestion) {
		this.maxBodySize = ingestion.maxBodySize().toBytes();
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !("POST".equals(request.getMethod())
				&& IngestionRoutes.EVENTS_PATH.equals(ApiKeyAuthenticationFilter.routedPath(request)));
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (!isJson(request.getContentType())) {
			Problem.write(response, 415, "Unsupported Media Type", "Send the events as application/json.");
			return;
		}
		long declared = request.getContentLengthLong();
		if (declared > this.maxBodySize) {
			tooLarge(response);
			return;
		}
		if (declared >= 0) {
			chain.doFilter(request, response); // the container reads at most Content-Length bytes
			return;
		}
		byte[] body = readAtMost(request.getInputStream(), this.maxBodySize);
		if (body == null) {
			tooLarge(response);
			return;
		}
		chain.doFilter(new BufferedBodyRequest(request, body), response);
	}

	private void tooLarge(HttpServletResponse response) throws IOException {
		Problem.write(response, 413, "Payload Too Large",
				"The request body exceeds the limit of " + this.maxBodySize + " bytes.");
	}

	static boolean isJson(String contentType) {
		if (contentType == null) {
			return false;
		}
		String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
		return mediaType.equals("application/json") || (mediaType.startsWith("application/") && mediaType.endsWith("+json"));
	}

	/** The body, or null as soon as it is longer than the limit. */
	private static byte[] readAtMost(InputStream in, long limit) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		byte[] buffer = new byte[8192];
		int read;
		while ((read = in.read(buffer)) >= 0) {
			if (out.size() + read > limit) {
				return null;
			}
			out.write(buffer, 0, read);
		}
		return out.toByteArray();
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
