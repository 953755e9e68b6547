package dev.myelin.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The dashboard's HTTP server: the JDK's built-in server on the loopback address only (nothing outside this
 * machine can connect), answering {@code GET /} with the page and {@code GET /data.json} with the state; any
 * other path or method is refused. One daemon thread serves, so an open page never keeps the JVM alive.
 */
final class DashboardServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;

    DashboardServer(int port, Supplier<String> page, Supplier<String> json) throws IOException {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("dashboard port must be in 0..65535 (0 picks a free one), got " + port);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "myelin-dashboard");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                if (!exchange.getRequestMethod().equals("GET")) send(exchange, 405, "text/plain", "only GET is served");
                else if (path.equals("/")) send(exchange, 200, "text/html; charset=utf-8", page.get());
                else if (path.equals("/data.json")) send(exchange, 200, "application/json", json.get());
                else send(exchange, 404, "text/plain", "not found: the dashboard serves / and /data.json");
            }
        });
        server.start();
    }

    /** The page's address, {@code http://127.0.0.1:PORT/}. */
    String url() {
        InetSocketAddress a = server.getAddress();
        return "http://" + a.getAddress().getHostAddress() + ":" + a.getPort() + "/";
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
