package com.ecommerce.eventhub.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP forwarder between the hub and a real service, so a test can make the service
 * unreachable (connections cut, new ones refused) without stopping it for everybody else.
 */
public final class TcpProxy implements AutoCloseable {

	private final String targetHost;

	private final int targetPort;

	private final ServerSocket server;

	private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
		Thread thread = new Thread(runnable, "tcp-proxy");
		thread.setDaemon(true);
		return thread;
	});

	private final List<Socket> open = new CopyOnWriteArrayList<>();

	private volatile boolean up = true;

	private TcpProxy(String targetHost, int targetPort) throws IOException {
		this.targetHost = targetHost;
		this.targetPort = targetPort;
		this.server = new ServerSocket();
		this.server.bind(new InetSocketAddress("127.0.0.1", 0));
		this.threads.execute(this::acceptLoop);
	}

	/**
	 * Starts a proxy on a free local port.
	 * @param targetHost the real service's host
	 * @param targetPort the real service's port
	 * @return the running proxy
	 * @throws IOException when no port can be bound
	 */
	public static TcpProxy start(String targetHost, int targetPort) throws IOException {
		return new TcpProxy(targetHost, targetPort);
	}

	public int port() {
		return this.server.getLocalPort();
	}

	/**
	 * Cuts every open connection and refuses (closes at once) new ones until
	 * {@link #restore()}.
	 */
	public void cut() {
		this.up = false;
		for (Socket socket : this.open) {
			closeQuietly(socket);
		}
		this.open.clear();
	}

	/** Forwards new connections again. */
	public void restore() {
		this.up = true;
	}

	private void acceptLoop() {
		while (!this.server.isClosed()) {
			try {
				Socket client = this.server.accept();
				if (!this.up) {
					closeQuietly(client);
					continue;
				}
				Socket target = new Socket(this.targetHost, this.targetPort);
				this.open.add(client);
				this.open.add(target);
				this.threads.execute(() -> pipe(client, target));
				this.threads.execute(() -> pipe(target, client));
			}
			catch (IOException ex) {
				// server closed, or the target refused: the client sees a closed
				// connection
			}
		}
	}

	private void pipe(Socket from, Socket to) {
		byte[] buffer = new byte[64 * 1024];
		try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
			int read;
			while ((read = in.read(buffer)) >= 0) {
				out.write(buffer, 0, read);
				out.flush();
			}
		}
		catch (IOException ex) {
			// connection cut
		}
		finally {
			closeQuietly(from);
			closeQuietly(to);
		}
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// already closed
		}
	}

	@Override
	public void close() throws IOException {
		cut();
		this.server.close();
		this.threads.shutdownNow();
	}

}
