/* The web UI's static files, text ones gzip-compressed once and kept. */
#ifndef SPEND_HTTP_STATIC_H
#define SPEND_HTTP_STATIC_H

struct spendd;
struct httpd_req;
struct http_static;

/* The web UI in dir (its realpath; a folder that is not there is logged
 * and every path is then 404). Starts compressing its text files on a
 * worker. Never NULL (aborts out of memory). Event loop thread. */
struct http_static *http_static_new(struct spendd *sd, const char *dir);
/* its realpath, "" if none */
const char *http_static_root(const struct http_static *hs);
/* After the workers have stopped (a compress job's done uses hs). */
void http_static_free(struct http_static *hs);

/* Serve path (decoded; the request's). GET and HEAD only (else 405),
 * with an ETag; a directory gives its index.html; a dotfile, a path or
 * symlink out of the root, or anything but a regular file is 404. Text
 * goes out gzip-compressed (Content-Encoding, Vary) to a client whose
 * Accept-Encoding takes gzip, once its compressed copy is made. */
void http_static_serve(struct http_static *hs, struct httpd_req *req,
    const char *path);

#endif
