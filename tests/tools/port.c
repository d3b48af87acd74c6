/*
 * port: TCP ports on 127.0.0.1 for regress tests that run side by side
 * (tests/regress/lib.sh's free_port).
 *
 *   port claim DIR PID            prints a port now held for PID
 *   port release DIR PID [PORT...]  gives back the ports PID holds (all
 *                                   of them without PORTs)
 *
 * A port is held by a file DIR/PORT made with O_EXCL that holds the
 * owner's pid, so two tests never get the same one, however close
 * together they ask; a claim whose owner is gone (kill(pid, 0) fails with
 * ESRCH) is taken over. Ports come from outside the kernel's ephemeral
 * range (net.ipv4.ip_local_port_range), so that no client connection of
 * another test can be given one as its local port while a test restarts
 * its spendd on it; and one that cannot be bound now is skipped.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOW 10000		/* below: well-known services */
#define HIGH 65535

static int
bindable(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_port = htons((unsigned short)port),
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd, r;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return 0;
	r = bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
	close(fd);
	return r;
}

/* The pid written in file path, or 0. */
static long
owner(const char *path)
{
	char buf[32];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

static int
take(const char *path, long pid)
{
	char buf[32];
	int fd, n;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%ld\n", pid);
	if (write(fd, buf, (size_t)n) != n) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * A claim of a test that is gone is free again. Take-overs hold a lock on
 * the directory, so two of them cannot both remove a stale claim and each
 * think the port theirs.
 */
static int
takeover(const char *dir, const char *path, long pid)
{
	struct stat st;
	int dfd, r = -1;
	long o;

	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	if (flock(dfd, LOCK_EX) < 0)
		goto out;
	o = owner(path);
	if (o > 0 && (kill((pid_t)o, 0) == 0 || errno != ESRCH))
		goto out;
	/* empty: being written right now (or junk, if old) */
	if (o <= 0 && (stat(path, &st) < 0 || time(NULL) - st.st_mtime < 60))
		goto out;
	unlink(path);
	r = take(path, pid);
out:
	close(dfd);	/* and the lock */
	return r;
}

static int
claim(const char *dir, long pid)
{
	long lo = 32768, hi = 60999;
	char path[4096];
	FILE *f;
	int tries, port;

	if ((f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r"))) {
		if (fscanf(f, "%ld %ld", &lo, &hi) != 2)
			lo = 32768, hi = 60999;
		fclose(f);
	}
	if (mkdir(dir, 01777) == 0)
		chmod(dir, 01777);	/* whoever runs the next test */
	srandom((unsigned)time(NULL) ^ (unsigned)getpid() << 8);
	for (tries = 0; tries < 10000; tries++) {
		port = LOW + (int)(random() % (HIGH - LOW + 1));
		if (port >= lo && port <= hi)
			continue;
		snprintf(path, sizeof(path), "%s/%d", dir, port);
		if (take(path, pid) < 0) {
			if (errno != EEXIST)
				break;
			if (takeover(dir, path, pid) < 0)
				continue;
		}
		if (bindable(port)) {
			printf("%d\n", port);
			return fflush(stdout) == 0 ? 0 : 1;
		}
		unlink(path);
	}
	fprintf(stderr, "port: no free port found (claims in %s): %s\n", dir,
	    strerror(errno));
	return 1;
}

int
main(int argc, char **argv)
{
	char path[4096];
	struct dirent *de;
	DIR *d;
	long pid;
	int i;

	if (argc < 4 || (strcmp(argv[1], "claim") != 0 &&
	    strcmp(argv[1], "release") != 0)) {
		fprintf(stderr, "usage: port claim DIR PID | "
		    "port release DIR PID [PORT...]\n");
		return 2;
	}
	pid = strtol(argv[3], NULL, 10);
	if (strcmp(argv[1], "claim") == 0)
		return claim(argv[2], pid);
	for (i = 4; i < argc; i++) {
		snprintf(path, sizeof(path), "%s/%s", argv[2], argv[i]);
		if (owner(path) == pid)
			unlink(path);
	}
	if (argc == 4 && (d = opendir(argv[2])) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[2], de->d_name);
			if (owner(path) == pid)
				unlink(path);
		}
		closedir(d);
	}
	return 0;
}
