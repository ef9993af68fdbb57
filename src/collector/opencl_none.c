/* opencl_none.c - the collector built without OpenCL headers: no layer, nothing to set up. */
#include "collector/col.h"

void col_ocl_init(void)
{
}
