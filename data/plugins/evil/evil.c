/* evil - a hostile plugin: every function attempts something that the
 * sandbox must refuse unless the manifest permits it, and reports the
 * outcome (0: the attempt worked, 1: it was refused, with errno's text).
 * Arguments: path=, port=, pid=, n=, key=, value=.
 *
 * Its own entry points try too (tests/plugins/host-sandbox.sh): on_enable,
 * its hook on task.succeeded and its route GET /plugins/evil/attempt each
 * write the file config.write, open the database config.db and connect to
 * 127.0.0.1:config.port, and keep what happened in their state
 * ("enable.write" = "refused: Permission denied", ...).  config.on_enable
 * = "refuse", "crash" or "hang" makes on_enable do that instead; routes
 * GET crash and GET hang do what they say (hang sets its state
 * hang.started first), GET arm makes the hook crash.  config.enable_sleep
 * and config.disable_sleep (seconds) make on_enable and on_disable take
 * that long (tests/plugins/later.sh: the engine does not wait for them).
 * Task function ids prints its user, group and supplementary groups. */
#include <manager/plugin.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static int
refused(mgr_task_ctx *ctx, const char *what, int err)
{
	mgr_output(ctx, "refused: %s: %s\n", what, strerror(err));
	return 1;
}

static const char *
arg(mgr_task_ctx *ctx, const char *name, const char *def)
{
	const char *v = mgr_task_arg(ctx, name);

	return v != NULL ? v : def;
}

/* Writes a line into path (an /etc file of a test root). */
static int
write_file(mgr_task_ctx *ctx)
{
	const char *path = arg(ctx, "path", "/etc/manager-evil");
	const char *line = "evil was here\n";
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);

	if (fd == -1)
		return refused(ctx, path, errno);
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line)) {
		int e = errno;
		close(fd);
		return refused(ctx, path, e);
	}
	close(fd);
	mgr_output(ctx, "wrote %s\n", path);
	return 0;
}

/* Reads path (a secret outside the plugin's permissions, or the
 * database: the same attempt). */
static int
read_file(mgr_task_ctx *ctx)
{
	const char *path = arg(ctx, "path", "/etc/shadow");
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd == -1)
		return refused(ctx, path, errno);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0)
		return refused(ctx, path, errno);
	buf[n] = '\0';
	mgr_output(ctx, "read %s: %.16s\n", path, buf);
	return 0;
}

/* A TCP connection to 127.0.0.1:port. */
static int
connect_tcp(mgr_task_ctx *ctx)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd == -1)
		return refused(ctx, "socket", errno);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(arg(ctx, "port", "1")));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		int e = errno;
		close(fd);
		return refused(ctx, "connect", e);
	}
	close(fd);
	mgr_output(ctx, "connected to 127.0.0.1:%s\n", arg(ctx, "port", "1"));
	return 0;
}

/* Attaches to pid (default: the parent). */
static int
trace(mgr_task_ctx *ctx)
{
	pid_t pid = (pid_t)atoi(arg(ctx, "pid", "0"));

	if (pid <= 0)
		pid = getppid();
	if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) != 0)
		return refused(ctx, "ptrace", errno);
	ptrace(PTRACE_DETACH, pid, NULL, NULL);
	mgr_output(ctx, "attached to %d\n", (int)pid);
	return 0;
}

/* Forks n children that wait for their parent's end; kills them again. */
static int
fork_bomb(mgr_task_ctx *ctx)
{
	int n = atoi(arg(ctx, "n", "10000")), i, e = 0;
	pid_t *kids = calloc((size_t)n + 1, sizeof *kids);

	for (i = 0; i < n; i++) {
		if ((kids[i] = fork()) == -1) {
			e = errno;
			break;
		}
		if (kids[i] == 0) {
			pause();
			_exit(0);
		}
	}
	for (int k = 0; k < i; k++) {
		kill(kids[k], SIGKILL);
		waitpid(kids[k], NULL, 0);
	}
	free(kids);
	if (i < n) {
		mgr_output(ctx, "forked %d of %d\n", i, n);
		return refused(ctx, "fork", e);
	}
	mgr_output(ctx, "forked %d\n", n);
	return 0;
}

/* Another plugin's state: the host answers for this plugin only, so the
 * key comes back unset; the database file is the other way in. */
static int
steal(mgr_task_ctx *ctx)
{
	mgr_host *host = ctx->host;
	char *v = host->api->state_get(host, arg(ctx, "key", "secret"));

	if (v != NULL) {
		mgr_output(ctx, "stole %s\n", v);
		host->api->free_string(host, v);
		return 0;
	}
	mgr_output(ctx, "no state \"%s\" of mine\n", arg(ctx, "key", "secret"));
	return read_file(ctx);
}

/* Its own state, through the host (a query to the engine). */
static int
remember(mgr_task_ctx *ctx)
{
	mgr_host *host = ctx->host;
	const char *key = arg(ctx, "key", "count");
	char *v = host->api->state_get(host, key);
	int n = v != NULL ? atoi(v) : 0;
	char text[32];

	host->api->free_string(host, v);
	snprintf(text, sizeof text, "%d", n + 1);
	if (host->api->state_set(host, key, text) != 0)
		return refused(ctx, "state_set", EIO);
	mgr_log(host, MGR_LOG_WARNING, "remembered %s = %s", key, text);
	mgr_output(ctx, "%s = %s\n", key, text);
	return 0;
}

/* Its process id: 2 in a PID namespace of its own (1 is the reaper). */
static int
whoami(mgr_task_ctx *ctx)
{
	mgr_output(ctx, "pid %d\n", (int)getpid());
	return 0;
}

/* Sleeps for seconds= (for looking at a live worker). */
static int
nap(mgr_task_ctx *ctx)
{
	int s = atoi(arg(ctx, "seconds", "1"));

	for (int i = 0; i < s * 10 && !mgr_cancelled(ctx); i++)
		usleep(100000);
	return 0;
}

/* The entry points' attempts: a word for each outcome. */
static void
outcome(char *buf, size_t len, int ok, const char *done)
{
	if (ok)
		snprintf(buf, len, "%s", done);
	else
		snprintf(buf, len, "refused: %s", strerror(errno));
}

static void
try_write(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);

	if (fd != -1 && write(fd, "evil was here\n", 14) != 14)
		fd = (close(fd), -1);
	outcome(buf, len, fd != -1, "wrote");
	if (fd != -1)
		close(fd);
}

static void
try_open(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);

	outcome(buf, len, fd != -1, "opened");
	if (fd != -1)
		close(fd);
}

static void
try_connect(const char *port, char *buf, size_t len)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok = 0;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(port));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd != -1)
		ok = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
	outcome(buf, len, ok, "connected");
	if (fd != -1)
		close(fd);
}

/* Each attempt whose target is configured; the outcome is logged and
 * kept as state WHO.write, WHO.db, WHO.connect. */
static void
attempt_all(mgr_host *host, const char *who, char *json, size_t len)
{
	static const char *const what[] = { "write", "db", "port" };
	static const char *const key[] = { "write", "db", "connect" };
	char buf[256], name[64];
	size_t used = 0;

	used += (size_t)snprintf(json, len, "{");
	for (int i = 0; i < 3; i++) {
		const char *target = host->api->config_get(host, what[i]);
		if (target == NULL)
			continue;
		if (i == 0)
			try_write(target, buf, sizeof buf);
		else if (i == 1)
			try_open(target, buf, sizeof buf);
		else
			try_connect(target, buf, sizeof buf);
		snprintf(name, sizeof name, "%s.%s", who, key[i]);
		host->api->state_set(host, name, buf);
		mgr_log(host, MGR_LOG_WARNING, "%s: %s", name, buf);
		if (used < len)
			used += (size_t)snprintf(json + used, len - used,
			    "%s\"%s\": \"%s\"", used > 1 ? ", " : "", key[i], buf);
	}
	if (used < len)
		snprintf(json + used, len - used, "}");
}

/* The hook crashes once armed (GET /plugins/evil/arm). */
static void
on_event(mgr_host *host, const char *event, const char *subject,
	 const char *message, void *arg)
{
	char json[1024], *armed = host->api->state_get(host, "hook.crash");

	(void)event;
	(void)subject;
	(void)message;
	(void)arg;
	if (armed != NULL)
		raise(SIGSEGV);
	attempt_all(host, "hook", json, sizeof json);
}

static int
route_arm(mgr_host *host, const char *method, const char *path,
	  const char *request_body, char **body, void *arg)
{
	(void)method;
	(void)path;
	(void)request_body;
	(void)arg;
	host->api->state_set(host, "hook.crash", "1");
	*body = host->api->alloc_string(host, "{\"armed\": true}");
	return 200;
}

static int
route_attempt(mgr_host *host, const char *method, const char *path,
	      const char *request_body, char **body, void *arg)
{
	char json[1024];

	(void)method;
	(void)path;
	(void)request_body;
	(void)arg;
	attempt_all(host, "route", json, sizeof json);
	*body = host->api->alloc_string(host, json);
	return 200;
}

static int
route_crash(mgr_host *host, const char *method, const char *path,
	    const char *request_body, char **body, void *arg)
{
	(void)host;
	(void)method;
	(void)path;
	(void)request_body;
	(void)body;
	(void)arg;
	raise(SIGSEGV);
	return 500;
}

static int
route_hang(mgr_host *host, const char *method, const char *path,
	   const char *request_body, char **body, void *arg)
{
	(void)method;
	(void)path;
	(void)request_body;
	(void)arg;
	host->api->state_set(host, "hang.started", "1");	/* for the tests */
	sleep(60);
	*body = host->api->alloc_string(host, "{}");
	return 200;
}

/* Sleeps config key's seconds, if set. */
static void
config_sleep(mgr_host *host, const char *key)
{
	const char *s = host->api->config_get(host, key);
	char name[64];

	if (s == NULL || atoi(s) <= 0)
		return;
	snprintf(name, sizeof name, "%s.started", key);	/* for the tests */
	host->api->state_set(host, name, "1");
	sleep((unsigned)atoi(s));
}

/* The identity it runs with: "uid U gid G groups A,B". */
static int
ids(mgr_task_ctx *ctx)
{
	gid_t groups[64];
	int n = getgroups(64, groups);

	mgr_output(ctx, "uid %d gid %d groups ", (int)getuid(), (int)getgid());
	for (int i = 0; i < n; i++)
		mgr_output(ctx, "%s%d", i > 0 ? "," : "", (int)groups[i]);
	mgr_output(ctx, "\n");
	return 0;
}

static void
on_disable(mgr_host *host)
{
	config_sleep(host, "disable_sleep");
}

static int
on_enable(mgr_host *host)
{
	const char *how = host->api->config_get(host, "on_enable");
	char json[1024];

	config_sleep(host, "enable_sleep");
	if (how != NULL && strcmp(how, "refuse") == 0)
		return 3;
	if (how != NULL && strcmp(how, "crash") == 0)
		raise(SIGSEGV);
	if (how != NULL && strcmp(how, "hang") == 0)
		sleep(60);
	attempt_all(host, "enable", json, sizeof json);
	host->api->hook_register(host, "task.succeeded", on_event, NULL);
	host->api->route_register(host, "GET", "attempt", route_attempt, NULL);
	host->api->route_register(host, "GET", "crash", route_crash, NULL);
	host->api->route_register(host, "GET", "hang", route_hang, NULL);
	host->api->route_register(host, "GET", "arm", route_arm, NULL);
	return 0;
}

static const struct mgr_task_def tasks[] = {
	{ "write", write_file, "write path=" },
	{ "read", read_file, "read path=" },
	{ "connect", connect_tcp, "connect to 127.0.0.1:port=" },
	{ "ptrace", trace, "attach to pid= (default: the parent)" },
	{ "forkbomb", fork_bomb, "fork n= children" },
	{ "steal", steal, "read key= of another plugin, then path=" },
	{ "remember", remember, "count in its own state key=" },
	{ "nap", nap, "sleep seconds=" },
	{ "whoami", whoami, "print the process id" },
	{ "ids", ids, "print its uid, gid and groups" },
	{ 0 }
};

MGR_PLUGIN(.id = "evil", .on_enable = on_enable, .on_disable = on_disable,
	   .tasks = tasks);
