/* assets.h - the dashboard's files, embedded into vigild at build time (web/CMakeLists.txt). */
#ifndef VIGIL_WEB_ASSETS_H
#define VIGIL_WEB_ASSETS_H

#include <stddef.h>

struct vigil_asset {
	const char *path, *content_type;
	const unsigned char *data;
	size_t len;
};

/* The asset served at `path` ("/index.html", "/static/app.js", ...), or NULL. */
const struct vigil_asset *vigil_web_find(const char *path);

#endif
