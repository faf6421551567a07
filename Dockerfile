# syntax=docker/dockerfile:1
#
# Event Hub image: the Spring Boot jar on a JRE, run as a non-root user.
#
#   docker build -t event-hub .
#   docker run --rm -p 8080:8080 -e SPRING_DATASOURCE_URL=... -e SPRING_RABBITMQ_HOST=... event-hub
#
# docker-compose.yml builds this image and runs it next to PostgreSQL, RabbitMQ and Mailpit.
# routes/ must exist in the build context (an empty folder is enough; git does not keep empty ones).

# ---- build -----------------------------------------------------------------------------------
FROM eclipse-temurin:17-jdk AS build
WORKDIR /workspace

# Wrapper and POM first: the dependency layer is rebuilt only when one of them changes, not on
# every source edit. The wrapper downloads Maven with wget or curl, or with javac if neither exists.
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
RUN chmod +x mvnw && ./mvnw -B -q dependency:go-offline

COPY src/ src/
# mv fails if the glob matches more than one jar, so a stray artifact cannot be shipped by accident.
RUN ./mvnw -B -DskipTests package \
    && mv target/event-hub-*.jar /workspace/app.jar
# Unpacked (app.jar + lib/): classes load from plain jars instead of jars nested in the fat jar, which
# starts the hub faster.
RUN java -Djarmode=tools -jar /workspace/app.jar extract --destination /workspace/extracted

# ---- runtime ---------------------------------------------------------------------------------
FROM eclipse-temurin:17-jre

# A fixed, numeric uid/gid outside the range of the base image's users, so that Kubernetes'
# runAsNonRoot can verify it and mounted volumes can be granted to it.
RUN groupadd --system --gid 10001 hub \
    && useradd --system --uid 10001 --gid hub --home-dir /app --no-create-home --shell /usr/sbin/nologin hub

WORKDIR /app
COPY --from=build --chown=root:root /workspace/extracted/ /app/
# Class data sharing: a training run records the classes start-up loads into app.jsa, which later
# starts map instead of loading and verifying them again. Without a database or broker at build time the
# run stops where the hub would connect (that failure is expected here), and the archive holds the
# classes loaded until then (Spring, Flyway, Camel's core), most of start-up's class loading. A JVM that
# cannot use the archive ignores it and starts as usual.
RUN java -XX:ArchiveClassesAtExit=/app/app.jsa -Dspring.context.exit=onRefresh -jar /app/app.jar \
        --hub.topology.startup-wait=1s > /dev/null 2>&1; test -f /app/app.jsa
# Operator-editable Camel YAML routes (hub.routes.directory defaults to "routes", relative to
# WORKDIR). Owned by root and read-only for the hub; compose mounts the host folder over it.
COPY --chown=root:root routes/ /app/routes/

# Size the heap from the container's memory limit rather than the host's, and let the
# orchestrator restart an instance that ran out of memory instead of keeping a half-dead JVM.
# The serial collector: on the two cores the hub is sized for, it took 12-18 % off the relay's
# CPU per event, 10-20 % off start-up's CPU and 30-38 % off the RSS compared with G1, whose
# concurrent threads and barriers compete with the relay (README "Benchmark"); the hub's live heap
# is small, so its young collections take milliseconds. With four cores or more, drop it (the JVM
# then picks G1).
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -XX:+UseSerialGC"

USER 10001:10001
EXPOSE 8080

# Exec form: the JVM is PID 1 and receives SIGTERM, so Spring Boot and Camel shut down gracefully
# (in-flight relay batches finish their confirm wait within hub.shutdown-timeout-seconds).
# No HEALTHCHECK here: the JRE image has no HTTP client; docker-compose.yml probes
# /actuator/health/readiness, and Kubernetes would use httpGet probes.
ENTRYPOINT ["java", "-XX:SharedArchiveFile=/app/app.jsa", "-jar", "/app/app.jar"]
