import * as React from "react";

import { cn } from "@/lib/utils";

function PageContainer({ className, ...props }: React.ComponentProps<"div">) {
  return (
    <div data-slot="page-container" className={cn("mx-auto w-full max-w-7xl px-4 py-6 sm:px-6 sm:py-8 lg:px-8", className)} {...props} />
  );
}

export { PageContainer };
