/* The web UI's static files. */
#ifndef SPEND_HTTP_STATIC_H
#define SPEND_HTTP_STATIC_H

struct spendd;
struct httpd_req;

/* Serve path (decoded; the request's) from root, the web UI's realpath
 * ("": none, every path is 404). GET and HEAD only (else 405), with an
 * ETag; a directory gives its index.html; a dotfile, a path or symlink
 * out of root, or anything but a regular file is 404. */
void http_static_serve(struct spendd *sd, struct httpd_req *req,
    const char *root, const char *path);

#endif
